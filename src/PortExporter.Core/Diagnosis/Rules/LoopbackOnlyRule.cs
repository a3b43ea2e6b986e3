using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>C: the port listens only on loopback (127.0.0.0/8, ::1).</summary>
public sealed class LoopbackOnlyRule : IDiagnosisRule
{
    private const string Check = "bind (loopback)";

    public Cause Cause => Cause.LoopbackOnly;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (IntentGate.Unless(port, Check, "from other hosts", PortExpose.Public, PortExpose.Internal) is { } notPromised)
        {
            return notPromised;
        }

        if (evidence.Sockets is not { } sockets)
        {
            return RuleOutcome.Missing(Check, $"socket evidence {evidence.WhyMissing(CollectorNames.Sockets)}");
        }

        var listeners = sockets.For(port.Key).ToList();
        if (listeners.Count == 0)
        {
            return RuleOutcome.Skipped(Check, "no listener");
        }

        if (listeners.All(l => l.Scope == ListenerScope.Loopback))
        {
            var seen = ListenerFacts.DescribeAll(listeners, evidence);
            var outside = port.Bind?.ToString() ?? "0.0.0.0";
            return RuleOutcome.Cause(
                Check,
                $"only on loopback: {seen}",
                ListenerFacts.SsCommand(port),
                $"{Diagnoser.Describe(port)} listens only on loopback ({seen}): outside clients cannot reach it.",
                ListenerFacts.RepublishFix(port, listeners, evidence, outside)
                    ?? $"Change the service's bind/listen address from {listeners[0].Address} to {outside} and restart it.");
        }

        return RuleOutcome.Clear(Check, "a listener is on a non-loopback address");
    }
}
