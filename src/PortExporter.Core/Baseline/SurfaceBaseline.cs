namespace PortExporter.Core.Baseline;

/// <summary>
/// The host's reachable surface as a reviewable document: what every watched port is meant to be, who listens on
/// it, what the firewall does to it, its SELinux port type and where a NAT sends it, plus a fingerprint of each
/// ruleset. Holds no PIDs, counters or times, and its lists are sorted, so an unchanged host gives an equal
/// document (and <see cref="BaselineWriter"/> a byte-identical file). Immutable.
/// </summary>
/// <param name="FormatVersion">The file format's version (<see cref="BaselineFormat.Version"/>).</param>
/// <param name="Host">The host name the surface was taken on.</param>
/// <param name="Rulesets">One fingerprint per firewall backend, sorted by backend.</param>
/// <param name="Ports">One entry per watched port, sorted by port and protocol.</param>
public sealed record SurfaceBaseline(int FormatVersion, string Host, IReadOnlyList<RulesetFingerprint> Rulesets, IReadOnlyList<PortSurface> Ports)
{
    public bool Equals(SurfaceBaseline? other) =>
        other is not null && FormatVersion == other.FormatVersion && Host == other.Host
        && Rulesets.SequenceEqual(other.Rulesets) && Ports.SequenceEqual(other.Ports);

    public override int GetHashCode() => HashCode.Combine(FormatVersion, Host, Rulesets.Count, Ports.Count);
}

/// <summary>A firewall backend's ruleset, reduced to a digest of its normalised text (see <see cref="RulesetFingerprints"/>).</summary>
/// <param name="Backend">nftables, iptables-legacy, ip6tables-legacy, ...</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the normalised ruleset text.</param>
/// <param name="Rules">How many rules the backend's tables hold.</param>
/// <param name="Sets">The named sets it holds (nftables), or the ipsets its rules look up (<c>ipset</c>), sorted by name; their members are part of <paramref name="Sha256"/>.</param>
public sealed record RulesetFingerprint(string Backend, string Sha256, int Rules, IReadOnlyList<SetFingerprint>? Sets = null)
{
    public IReadOnlyList<SetFingerprint> Sets { get; init; } = Sets ?? [];

    public bool Equals(RulesetFingerprint? other) =>
        other is not null && Backend == other.Backend && Sha256 == other.Sha256 && Rules == other.Rules && Sets.SequenceEqual(other.Sets);

    public override int GetHashCode() => HashCode.Combine(Backend, Sha256, Rules);
}

/// <summary>A named set's members, reduced to a digest (see <see cref="PortExporter.Firewall.Model.SetContent"/>).</summary>
/// <param name="Set">Its name as a reviewer looks it up: <c>inet filter allowlist</c> (family, table, set) for nftables, the set's name for an ipset.</param>
/// <param name="Sha256">Lower-case hex digest of its members.</param>
/// <param name="Elements">How many members it has.</param>
public sealed record SetFingerprint(string Set, string Sha256, int Elements);

/// <summary>One watched port's surface.</summary>
/// <param name="Key">Port and protocol.</param>
/// <param name="Service">The <c>service</c> label.</param>
/// <param name="Expose">The intent: public, internal or local.</param>
/// <param name="Origin">Who said so: config or inferred.</param>
/// <param name="Listeners">Sockets bound to the port, sorted; repeats (SO_REUSEPORT) appear once.</param>
/// <param name="Unit">The configured systemd unit and its active state ("nginx.service active"), <see cref="BaselineFormat.None"/> when none is configured.</param>
/// <param name="Verdicts">The firewall's verdict per source, sorted by source.</param>
/// <param name="SelinuxType">The policy's port type; <see cref="BaselineFormat.None"/> when unlabelled or SELinux is off, <see cref="BaselineFormat.Unknown"/> when not collected.</param>
/// <param name="Paths">Where a connection to the port is sent on (a DNAT on the host, the configured external endpoints), sorted.</param>
public sealed record PortSurface(
    PortKey Key,
    string Service,
    string Expose,
    string Origin,
    IReadOnlyList<ListenerSurface> Listeners,
    string Unit,
    IReadOnlyList<VerdictSurface> Verdicts,
    string SelinuxType,
    IReadOnlyList<string> Paths)
{
    public bool Equals(PortSurface? other) =>
        other is not null && Key == other.Key && Service == other.Service && Expose == other.Expose && Origin == other.Origin
        && Listeners.SequenceEqual(other.Listeners) && Unit == other.Unit && Verdicts.SequenceEqual(other.Verdicts)
        && SelinuxType == other.SelinuxType && Paths.SequenceEqual(other.Paths, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Key, Service, Listeners.Count, Verdicts.Count);
}

/// <summary>A socket bound to a watched port.</summary>
/// <param name="Address">The local address, as the kernel reports it (0.0.0.0, ::, 127.0.0.1, ...).</param>
/// <param name="Scope">wildcard, loopback or address.</param>
/// <param name="Process">The owning process's name; <see cref="BaselineFormat.Unknown"/> when its owner was not found.</param>
public sealed record ListenerSurface(string Address, string Scope, string Process);

/// <summary>The firewall's answer to a new connection from one source.</summary>
/// <param name="Source">outside or inside.</param>
/// <param name="Verdict">accept, drop, reject or unknown.</param>
/// <param name="Chain">Where the deciding rule lives ("nftables inet filter input"); empty when no ruleset decided.</param>
/// <param name="Rule">The deciding rule's text without its handle or position (which change when the same rule is loaded again or another is inserted above it), or the chain policy ("policy drop").</param>
public sealed record VerdictSurface(string Source, string Verdict, string Chain, string Rule);
