using PortExporter.Core.Configuration;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Firewalld;

namespace PortExporter.Core.Firewall;

/// <summary>The firewall's answer for one watched port: from outside, from inside and from each <c>from:</c> range.</summary>
/// <param name="Outside">A new connection from the outside source (<c>firewall.external_source</c>) on the outside interface.</param>
/// <param name="Inside">New connections from inside clients, one per internal network on its interface (this host over loopback when it has none): blocked when any internal network is.</param>
/// <param name="DroppedPackets">Packet counters of the drop/reject rules matching the port from outside, when the backend keeps them.</param>
/// <param name="Redirect">A DNAT/REDIRECT on the host that sends the port elsewhere, as text, when found.</param>
/// <param name="OutsideConnection">The outside connection that was simulated (source, destination, interface), when one could be.</param>
/// <param name="FirewalldExplanation">With firewalld: the zone outside traffic lands in and whether it opens the port, in its terms.</param>
public sealed record FirewallPortResult(
    FirewallDecision Outside,
    FirewallDecision Inside,
    long? DroppedPackets = null,
    string? Redirect = null,
    SimulatedConnection? OutsideConnection = null,
    FirewalldExplanation? FirewalldExplanation = null)
{
    /// <summary>The inside connection that decided <see cref="Inside"/> (with several internal networks: the blocking one's, else the first).</summary>
    public SimulatedConnection? InsideConnection { get; init; }

    /// <summary>
    /// The interface the kernel routes the replies to the accepted outside connection out of, when it is not the one
    /// the connection comes in on (asymmetric routing: a stateful firewall or anti-spoofing filter upstream of either
    /// interface drops them); null when they leave the way it came, or the kernel was not asked.
    /// </summary>
    public string? ReplyInterface { get; init; }

    /// <summary>
    /// Where the DNATs send the outside connections of every address family simulated (a container published over
    /// IPv4 and IPv6 has a backend address of each); empty when one family was, whose verdict names its own.
    /// </summary>
    public IReadOnlyList<System.Net.IPEndPoint> OutsideTargets { get; init; } = [];

    /// <summary>Every inside client simulated: one per internal network, or this host over loopback.</summary>
    public IReadOnlyList<System.Net.IPAddress> InsideAddresses { get; init; } = [];

    /// <summary>One verdict per <c>from:</c> range of the port, in the config's order; empty without <c>from:</c>.</summary>
    public IReadOnlyList<SourceVerdict> From { get; init; } = [];

    /// <summary>
    /// The verdicts of the sources <paramref name="port"/> must be reachable from: each <c>from:</c> range when it has
    /// them; else, for <c>public</c>, outside and, for <c>internal</c>, inside; none for <c>local</c>. Blocking any other
    /// source is the intent working.
    /// </summary>
    public IReadOnlyList<SourceVerdict> Promised(PortSpec port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (port.Expose == PortExpose.Local)
        {
            return [];
        }

        if (port.From.Count > 0)
        {
            return From;
        }

        var source = port.Expose == PortExpose.Internal ? SourceVerdict.InsideSource : SourceVerdict.OutsideSource;
        return [.. Sources.Where(s => s.Source == source)];
    }

    /// <summary>Every source with its verdict: outside, inside, then each <c>from:</c> range (the <c>source</c> label values).</summary>
    public IReadOnlyList<SourceVerdict> Sources =>
    [
        new(SourceVerdict.OutsideSource, Outside, OutsideConnection) { DroppedPackets = DroppedPackets, Firewalld = FirewalldExplanation },
        new(SourceVerdict.InsideSource, Inside, InsideConnection) { Addresses = InsideAddresses },
        .. From,
    ];
}

/// <summary>The firewall's verdict for new connections from one intended source of a watched port.</summary>
/// <param name="Source">The <c>source</c> label: outside, inside, or a <c>from:</c> range in CIDR notation.</param>
/// <param name="Decision">The verdict and the rule or policy that made it. For a range whose ends the rules tell apart: the blocking end's.</param>
/// <param name="Connection">The connection the verdict is for (source address, destination, interface), when one could be simulated.</param>
public sealed record SourceVerdict(string Source, FirewallDecision Decision, SimulatedConnection? Connection)
{
    /// <summary>The outside default: <c>firewall.external_source</c> on the outside interface.</summary>
    public static readonly string OutsideSource = ConnectionOrigin.Outside.ToLabel();

    /// <summary>A client on each internal network (this host over loopback when it has none): one verdict, the blocking network's when the rules tell them apart.</summary>
    public static readonly string InsideSource = ConnectionOrigin.Inside.ToLabel();

    /// <summary>Every address simulated for the source (a range: its first usable address and, when it differs, its other end).</summary>
    public IReadOnlyList<System.Net.IPAddress> Addresses { get; init; } = [];

    /// <summary>The packet counter of the deciding drop/reject rule, when the backend keeps one.</summary>
    public long? DroppedPackets { get; init; }

    /// <summary>With firewalld: the zone this source lands in and whether it opens the port.</summary>
    public FirewalldExplanation? Firewalld { get; init; }

    /// <summary>"198.51.100.1 -> 10.77.0.1:8080 on eth0" style text of what was simulated, or the reason nothing was.</summary>
    public string Describe() => Connection?.ToString() ?? Decision.Detail ?? "not simulated";
}
