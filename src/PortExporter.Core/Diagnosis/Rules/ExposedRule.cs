using System.Net;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// The opposite promise broken: the port is reachable from where its intent says it must not be. A <c>local</c> port
/// with a listener outside or internal clients can reach (any non-loopback address), unless the firewall blocks them
/// all (outside, and each internal network where the host has one); an <c>internal</c> port reachable
/// from outside: a listener on a wildcard or outside address that the firewall accepts from outside, or a probe from
/// a remote vantage that connected. Names the deciding evidence and the fix.
/// </summary>
public sealed class ExposedRule : IDiagnosisRule
{
    private const string Check = "intent (exposure)";

    public Cause Cause => Cause.Exposed;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(evidence);
        if (port.Expose == PortExpose.Public)
        {
            return RuleOutcome.Skipped(Check, $"expose public ({port.Origin.ToLabel()}): reachable from outside is the intent");
        }

        if (evidence.Sockets is not { } sockets)
        {
            return RuleOutcome.Missing(Check, $"socket evidence {evidence.WhyMissing(CollectorNames.Sockets)}");
        }

        // A socket bound to lo (SO_BINDTODEVICE) takes nothing from another host, whatever its address.
        var listeners = sockets.For(port.Key).Where(l => l.Scope != ListenerScope.Loopback && l.Device != HostNetwork.LoopbackInterface).ToList();
        return port.Expose == PortExpose.Local ? Local(port, listeners, evidence) : Internal(port, listeners, evidence);
    }

    private static RuleOutcome Local(PortSpec port, List<Listener> reachable, EvidenceSnapshot evidence)
    {
        if (reachable.Count == 0)
        {
            return RuleOutcome.Clear(Check, "expose local: listens on loopback only", ListenerFacts.SsCommand(port));
        }

        var seen = ListenerFacts.DescribeAll(reachable, evidence);
        if (KeptOut(port, evidence) is { } guard)
        {
            // Bound wider than it needs, but no other host gets in: the promise holds (the firewall is all that keeps it).
            return RuleOutcome.Clear(Check, $"expose local: listens on {seen}, but {guard}", ListenerFacts.SsCommand(port));
        }

        return RuleOutcome.Cause(
            Check,
            $"must be local ({port.Origin.ToLabel()}): listens on {seen}",
            ListenerFacts.SsCommand(port),
            $"{Diagnoser.Describe(port)} must be reachable on this host only (expose local, {port.Origin.ToLabel()}), but listens on {seen}, which other hosts can reach.",
            $"Bind the service to 127.0.0.1 (or ::1) and restart it; if other hosts must reach it, declare expose: internal or public for port {port.Port}/{port.Protocol.ToLabel()}.");
    }

    /// <summary>
    /// For a <c>local</c> port bound beyond loopback: how the firewall keeps every other host out, when it does (outside
    /// blocked in every family simulated, each internal network blocked too, or the host has none, and no remote
    /// vantage connected); null otherwise.
    /// </summary>
    private static string? KeptOut(PortSpec port, EvidenceSnapshot evidence)
    {
        if (evidence.Firewall?.Ports.GetValueOrDefault(port.Key) is not { } result || !result.Outside.Blocks || OutsideProbeThatConnected(port, evidence) is not null)
        {
            return null;
        }

        var noLan = result.InsideConnection is { Interface: HostNetwork.LoopbackInterface };
        if (!noLan && !result.Inside.Blocks)
        {
            return null;
        }

        return $"the firewall keeps other hosts out (outside: {result.Outside.Verdict.ToString().ToLowerInvariant()} by {result.Outside.Rule}{(noLan ? "; no internal network" : $"; internal networks: {result.Inside.Verdict.ToString().ToLowerInvariant()} by {result.Inside.Rule}")}): binding to loopback would not depend on it";
    }

    private static RuleOutcome Internal(PortSpec port, List<Listener> reachable, EvidenceSnapshot evidence)
    {
        var outsideProbe = OutsideProbeThatConnected(port, evidence);
        var outsideAddresses = evidence.Network?.OutsideAddresses() ?? [];
        var onOutside = reachable.Where(l => (l.Scope == ListenerScope.Wildcard && l.Device is null) || outsideAddresses.Any(a => ListenerFacts.Serves(l, a, evidence.Network))).ToList();
        var must = $"must be internal ({port.Origin.ToLabel()})";
        if (onOutside.Count == 0 && outsideProbe is null)
        {
            return RuleOutcome.Clear(Check, reachable.Count == 0 ? "expose internal: no listener outside clients reach" : $"expose internal: listens on {ListenerFacts.DescribeAll(reachable, evidence)}, not on an outside address");
        }

        var seen = ListenerFacts.DescribeAll(onOutside.Count > 0 ? onOutside : reachable, evidence);
        string? through = null;
        if (onOutside.Count > 0 && evidence.Firewall?.Ports.GetValueOrDefault(port.Key) is { } result)
        {
            var outside = result.Outside;
            if (outside.Verdict == FirewallVerdict.Accept)
            {
                var rule = outside.Table.Length == 0 ? outside.Rule : $"{outside.Backend} table {outside.Table} chain {outside.Chain}: {outside.Rule}";
                through = $"the firewall accepts new connections from outside ({result.OutsideConnection?.Source.ToString() ?? "outside"}) through {rule}";
            }
            else if (outsideProbe is null && outside.Blocks)
            {
                return RuleOutcome.Clear(Check, $"expose internal: listens on {seen}; outside blocked by {outside.Rule}");
            }
        }

        if (through is null && outsideProbe is null)
        {
            return RuleOutcome.Missing(Check, $"{must}: listens on {seen}; whether outside reaches it is unknown ({(evidence.Firewall is null ? $"firewall evidence {evidence.WhyMissing(CollectorNames.Firewall)}" : "no firewall verdict")})");
        }

        var how = string.Join("; ", new[] { through, outsideProbe is { } p ? $"probe {p} connected" : null }.OfType<string>());
        return RuleOutcome.Cause(
            Check,
            $"{must}: listens on {seen}; {how}",
            $"{ListenerFacts.SsCommand(port)}; nft -a list ruleset | grep -n -e 'dport' -e 'policy'",
            $"{Diagnoser.Describe(port)} must be internal ({port.Origin.ToLabel()}), but is reachable from outside: listens on {seen}; {how}.",
            $"Drop new connections from outside to {port.Port}/{port.Protocol.ToLabel()} on the outside interface (an allowlist of the internal networks before the accepting rule, kept as code), or bind the service to its internal address only and restart it.");
    }

    /// <summary>
    /// A probe from outside that connected: a remote vantage that answered, in results that are evidence (<see cref="ProbeFacts"/>). This host's own probes (loopback,
    /// internal, and external, which dials the external address from here) do not cross the outside path.
    /// </summary>
    private static string? OutsideProbeThatConnected(PortSpec port, EvidenceSnapshot evidence)
    {
        if (ProbeFacts.Usable(port, evidence, out _) is not { } probes)
        {
            return null;
        }

        var hit = (probes.Ports.GetValueOrDefault(port.Key) ?? [])
            .FirstOrDefault(r => r.Success && !ConfigDefaults.LocalVantages.Contains(r.Vantage) && probes.VantageUp.GetValueOrDefault(r.Vantage, true));
        return hit is null ? null : $"{hit.Vantage} {hit.Address}";
    }
}
