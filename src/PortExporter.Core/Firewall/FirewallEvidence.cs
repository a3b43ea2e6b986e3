namespace PortExporter.Core.Firewall;

/// <summary>The firewall collector's result: the backends seen and a verdict per watched port.</summary>
/// <param name="Backends">Backends whose ruleset was read (nftables, iptables-legacy, ip6tables-legacy, firewalld).</param>
/// <param name="Ports">Per watched port; a port missing here has no verdict (unknown).</param>
/// <param name="SnapshotTakenAt">When the ruleset snapshot was read.</param>
/// <param name="FirewalldZones">firewalld's zones when it runs, else null.</param>
public sealed record FirewallEvidence(
    IReadOnlyList<string> Backends,
    IReadOnlyDictionary<PortKey, FirewallPortResult> Ports,
    DateTimeOffset SnapshotTakenAt,
    IReadOnlyList<PortExporter.Firewall.Firewalld.FirewalldZone>? FirewalldZones = null)
{
    /// <summary>A fingerprint per backend of the snapshot's ruleset (computed once per snapshot); empty when not known.</summary>
    public IReadOnlyList<Baseline.RulesetFingerprint> RulesetFingerprints { get; init; } = [];

    /// <summary>The ruleset change signal's token (the nf_tables generation id) when the snapshot was read; null when not known.</summary>
    public ulong? Generation { get; init; }
}
