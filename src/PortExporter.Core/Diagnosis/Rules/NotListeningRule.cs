using System.Globalization;
using System.Net.Sockets;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Firewall.Evaluation;

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
        var firewall = evidence.Firewall?.Ports.GetValueOrDefault(port.Key);
        if (listeners.Count == 0 && firewall?.Outside is { } outside && (outside.ForwardedTo ?? outside.DeliveredTo) is { } backend)
        {
            // A DNAT (or REDIRECT) sends outside connections to another address or port: no socket on the port takes them (the backend rule checks that one).
            return RuleOutcome.Clear(Check, $"nothing listens on {port.Port}/{port.Protocol.ToLabel()} on this host; the DNAT sends outside connections to {backend}", ListenerFacts.SsCommand(port));
        }

        if (listeners.Count == 0 && OtherFamilyOnly(firewall) is { } published)
        {
            return published.Connection.IpVersion is var family && port.Bind is null && port.Origin == IntentOrigin.Config
                ? RuleOutcome.Cause(
                    Check,
                    $"nothing listens on {port.Port}/{port.Protocol.ToLabel()}; published over {published.Others} only (DNAT to {published.Targets})",
                    $"{ListenerFacts.SsCommand(port)}; {(family == 6 ? "ip6tables" : "iptables")} -t nat -S; nft list ruleset | grep -n dnat",
                    $"{Diagnoser.Describe(port)} is published over {published.Others} only, by a DNAT to {published.Targets}: IPv{family.ToString(CultureInfo.InvariantCulture)} clients, to {published.Connection.Destination}, find nothing listening and are refused.",
                    $"Publish the port over IPv{family.ToString(CultureInfo.InvariantCulture)} too: a container's published port without an {published.Others} host address (docker/podman -p {port.Port.ToString(CultureInfo.InvariantCulture)}:PORT, both families), or the IPv{family.ToString(CultureInfo.InvariantCulture)} twin of a hand-written DNAT rule. Where {published.Others} only is the intent, set the port's bind: to that address.")
                : RuleOutcome.Clear(Check, $"nothing listens on {port.Port}/{port.Protocol.ToLabel()} on this host; published over {published.Others} only (DNAT to {published.Targets})", ListenerFacts.SsCommand(port));
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

    /// <summary>
    /// A port the rules let in from outside over the family simulated first, where no DNAT sends it on, while DNATs of
    /// the other family do (<see cref="FirewallPortResult.OutsideTargets"/>): published over that family only.
    /// </summary>
    private static (SimulatedConnection Connection, string Others, string Targets)? OtherFamilyOnly(FirewallPortResult? result)
    {
        if (result is not { Outside: { Verdict: FirewallVerdict.Accept, ForwardedTo: null, DeliveredTo: null }, OutsideConnection: { } connection }
            || result.OutsideTargets.Count == 0
            || result.OutsideTargets.Any(t => t.AddressFamily == connection.Destination.AddressFamily))
        {
            return null;
        }

        var others = string.Join(" and ", result.OutsideTargets.Select(t => t.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4").Distinct());
        return (connection, others, string.Join(", ", result.OutsideTargets));
    }
}
