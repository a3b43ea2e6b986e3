using PortExporter.Firewall.Model;

namespace PortExporter.Firewall;

/// <summary>The verdict for one simulated connection and the rule (or chain policy) that made it.</summary>
/// <param name="Verdict">accept, drop, reject or unknown.</param>
/// <param name="Backend">nftables, iptables-legacy, ... or "none" when no ruleset exists.</param>
/// <param name="Table">Table of the deciding rule ("" when none).</param>
/// <param name="Chain">Chain of the deciding rule ("" when none).</param>
/// <param name="Rule">The deciding rule, shortened, or "policy drop" for a chain policy.</param>
public sealed record FirewallDecision(FirewallVerdict Verdict, string Backend, string Table, string Chain, string Rule)
{
    public bool Blocks => Verdict is FirewallVerdict.Drop or FirewallVerdict.Reject;

    /// <summary>The family of the deciding rule's table (nft <c>inet</c>, <c>netdev</c>, ...), or null when no table decided.</summary>
    public TableFamily? Family { get; init; }

    /// <summary>Why the verdict is what it is when the rule alone does not say (the unknown match, a DNAT away), or null.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// The way a translated connection took through the hooks to the verdict (<c>prerouting -> dnat 172.31.0.2:80 ->
    /// forward out docker0 -> drop</c>), or null when no DNAT or REDIRECT changed its destination.
    /// </summary>
    public string? Path { get; init; }

    /// <summary>
    /// Where a REDIRECT, or a DNAT to an address of this host, delivers the connection on this host (the address and
    /// the port the listener must be on), or null when no translation kept it here.
    /// </summary>
    public System.Net.IPEndPoint? DeliveredTo { get; init; }

    /// <summary>Where a DNAT forwards the connection to (another host, a container), or null when it stays on this host.</summary>
    public System.Net.IPEndPoint? ForwardedTo { get; init; }

    /// <summary>
    /// Every address a random choice on the way (kube-proxy's <c>-m statistic --mode random</c>, nft <c>numgen</c>) can
    /// forward the connection to, when there are several; <see cref="ForwardedTo"/> is the first. Null otherwise.
    /// </summary>
    public IReadOnlyList<System.Net.IPEndPoint>? ForwardedToChoices { get; init; }

    /// <summary>Where the connection can be forwarded to: <see cref="ForwardedToChoices"/>, else <see cref="ForwardedTo"/> alone, else nothing.</summary>
    public IEnumerable<System.Net.IPEndPoint> ForwardTargets => ForwardedToChoices ?? (ForwardedTo is { } to ? [to] : []);

    /// <summary>
    /// The ICMPv6 neighbour discovery message (<c>nd-neighbor-solicit</c>, <c>nd-neighbor-advert</c>) whose drop blocks
    /// an IPv6 connection the port's own rules accept: the rule is that message's, and so is the fix. Null otherwise.
    /// </summary>
    public string? NeighbourDiscovery { get; init; }

    /// <summary>Where a translation sends the connection to be served: <see cref="ForwardTargets"/>, or <see cref="DeliveredTo"/> on this host.</summary>
    public IEnumerable<System.Net.IPEndPoint> TranslatedTargets => DeliveredTo is { } here ? ForwardTargets.Append(here) : ForwardTargets;
}
