using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// B: nothing listens on the port (or, UDP, nothing is bound to it). A port whose outside connections a DNAT sends to
/// another address (a published container port without a host proxy, a NodePort) needs no host listener.
/// </summary>
public sealed class NotListeningRule : IDiagnosisRule
{
    private const string Check = "listening";

    public Cause Cause => Cause.NotListening;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (evidence.Sockets is not { } sockets)
        {
            return RuleOutcome.Missing(Check, $"socket evidence {evidence.WhyMissing(CollectorNames.Sockets)}", ListenerFacts.SsCommand(port));
        }

        var listeners = sockets.For(port.Key).ToList();
        if (listeners.Count == 0 && evidence.Firewall?.Ports.GetValueOrDefault(port.Key)?.Outside is { } outside && (outside.ForwardedTo ?? outside.DeliveredTo) is { } backend)
        {
            // A DNAT (or REDIRECT) sends outside connections to another address or port: no socket on the port takes them (the backend rule checks that one).
            return RuleOutcome.Clear(Check, $"nothing listens on {port.Port}/{port.Protocol.ToLabel()} on this host; the DNAT sends outside connections to {backend}", ListenerFacts.SsCommand(port));
        }

        if (listeners.Count == 0)
        {
            return RuleOutcome.Cause(
                Check,
                $"nothing listens on {port.Port}/{port.Protocol.ToLabel()}",
                ListenerFacts.SsCommand(port),
                $"{Diagnoser.Describe(port)}: nothing listens on the port.",
                "Check the service's configured port and that it started cleanly (its log), then restart it.");
        }

        return RuleOutcome.Clear(Check, ListenerFacts.DescribeAll(listeners, evidence), ListenerFacts.SsCommand(port));
    }
}
