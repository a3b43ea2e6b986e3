using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Probes;
using PortExporter.Core.Sockets;
using PortExporter.Firewall;

namespace PortExporter.Core.Timeline;

/// <summary>Reduces a collection and its diagnosis of one port to the <see cref="PortFacts"/> the timeline compares. Pure.</summary>
public static class PortFactsReader
{
    public static PortFacts Read(PortSpec port, EvidenceSnapshot evidence, Diagnosis.Diagnosis diagnosis)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(diagnosis);
        var listeners = evidence.Sockets?.For(port.Key).ToList();
        return new PortFacts(
            diagnosis.Cause.ToLabel(),
            Firewall(port, evidence),
            listeners?.Select(Address).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Owners(listeners, evidence),
            port.Process is { } name && evidence.Processes?.RunningByName.TryGetValue(name, out var running) == true ? running : null,
            port.Unit is { } unit && evidence.Processes?.Units.TryGetValue(unit, out var state) == true ? $"{state.ActiveState}/{state.SubState}" : null,
            evidence.Selinux is { } selinux
                ? new SelinuxFacts(selinux.Enabled ? selinux.CurrentMode.ToString().ToLowerInvariant() : "disabled", selinux.Ports.GetValueOrDefault(port.Key)?.PortType)
                : null,
            evidence.Selinux?.Ports.GetValueOrDefault(port.Key) is { } result
                ? new AvcFact(result.DeniedSinceStart, result.LastDenialAt, $"{result.LastDenialPermission ?? "denied"} by {result.LastDenialComm ?? "?"} ({result.LastDenialSourceType ?? "?"})")
                : null,
            Probes(port, evidence));
    }

    /// <summary>"0.0.0.0 (wildcard)", "127.0.0.1 (loopback)", "[::] (wildcard)".</summary>
    private static string Address(Listener listener) =>
        $"{(listener.IsIPv6 ? $"[{listener.AddressText}]" : listener.AddressText)} ({listener.Scope.ToLabel()})";

    private static FirewallFacts? Firewall(PortSpec port, EvidenceSnapshot evidence)
    {
        if (evidence.Firewall is not { } firewall || !firewall.Ports.TryGetValue(port.Key, out var result))
        {
            return null;
        }

        var sets = firewall.RulesetFingerprints
            .SelectMany(r => r.Sets.Select(s => (r.Backend, Fact: new SetFact(s.Set, s.Elements, s.Sha256))))
            .ToList();
        return new FirewallFacts(
            firewall.Generation,
            [.. result.Sources.Select(s => new VerdictFact(
                s.Source,
                s.Decision.Verdict.ToString().ToLowerInvariant(),
                PortExporter.Firewall.Model.FirewallRule.TextOfLabel(s.Decision.Rule),
                s.Decision.Table.Length > 0 && !s.Decision.Rule.StartsWith("policy ", StringComparison.Ordinal),
                LookedUp(s.Decision, sets)))],
            [.. sets.Select(s => s.Fact)]);
    }

    /// <summary>The set the deciding rule looks up (an nft set of its table, or an ipset), as the fingerprints name it; null when none.</summary>
    private static string? LookedUp(FirewallDecision decision, List<(string Backend, SetFact Fact)> sets)
    {
        if (PortExporter.Firewall.Ipset.SetBlock.Of(decision) is not { Set: { } name })
        {
            return null;
        }

        return decision.Backend == FirewallBackends.Nftables
            ? sets.FirstOrDefault(s => s.Backend == FirewallBackends.Nftables && s.Fact.Set.EndsWith($" {decision.Table} {name}", StringComparison.Ordinal)).Fact?.Set
            : sets.FirstOrDefault(s => s.Backend == FirewallBackends.Ipset && s.Fact.Set == name).Fact?.Set;
    }

    private static List<OwnerFact>? Owners(List<Listener>? listeners, EvidenceSnapshot evidence) =>
        listeners is null || evidence.Processes is not { } processes
            ? null
            : [.. listeners
                .Select(l => processes.OwnersByInode.GetValueOrDefault(l.Inode))
                .OfType<Processes.ProcessInfo>()
                .Select(p => new OwnerFact(p.DisplayName, p.Pid))
                .Distinct()
                .OrderBy(o => o.Name, StringComparer.Ordinal)
                .ThenBy(o => o.Pid)];

    private static List<ProbeFact>? Probes(PortSpec port, EvidenceSnapshot evidence) =>
        evidence.Probes is { } probes && probes.WhyNotEvidence(evidence.TakenAt, evidence.Config.Probes.Interval) is null && probes.Ports.TryGetValue(port.Key, out var results)
            ? [.. results
                .Select(r => new ProbeFact(string.Create(CultureInfo.InvariantCulture, $"{r.Vantage} ({r.Address})"), r.Success ? "ok" : r.Reason.ToLabel()))
                .DistinctBy(p => p.Vantage, StringComparer.Ordinal)
                .OrderBy(p => p.Vantage, StringComparer.Ordinal)]
            : null;
}
