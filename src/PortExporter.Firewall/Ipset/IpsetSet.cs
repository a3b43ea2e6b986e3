using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Ipset;

/// <summary>What one dimension of an ipset type holds, in the order the type names them (<c>hash:net,port</c>).</summary>
public enum IpsetDimension
{
    /// <summary>An address or network: one component, the addresses.</summary>
    Address,

    /// <summary>A protocol and port: two components, the protocol numbers and the ports (an ICMP type/code for ICMP).</summary>
    Port,

    /// <summary>
    /// An interface name (<c>hash:net,iface</c>): one component; the flag <c>src</c> reads the incoming interface,
    /// <c>dst</c> the outgoing one.
    /// </summary>
    Interface,
}

/// <summary>
/// One ipset, read from <c>ipset save</c> and compiled for lookups: its elements are grouped so that a lookup
/// walks a few groups, not every entry (all addresses of one protocol and port form one group, with the
/// <c>nomatch</c> entries already taken out the way the kernel's most-specific-prefix lookup does). Immutable.
/// </summary>
/// <param name="Name">The set's name.</param>
/// <param name="Type">The set type as ipset names it (<c>hash:net</c>).</param>
/// <param name="IpVersion">4 (<c>family inet</c>) or 6 (<c>family inet6</c>); null for the types of either family (<c>bitmap:port</c>, <c>list:set</c>).</param>
/// <param name="Dimensions">What each <c>--match-set</c> flag of the type reads, in order; empty for <c>list:set</c>.</param>
/// <param name="Elements">The grouped elements: per element one <see cref="FieldValues"/> per component of <paramref name="Dimensions"/>.</param>
/// <param name="Members">For <c>list:set</c>: the names of its member sets, in order; otherwise empty.</param>
/// <param name="Entries">How many entries <c>ipset save</c> listed (before grouping).</param>
/// <param name="Unsupported">Why lookups in this set cannot be simulated (a type the simulator does not model), or null.</param>
/// <param name="NomatchElements">
/// For the types with <c>nomatch</c> entries (<see cref="HasNomatch"/>): what a lookup finds a <c>nomatch</c> entry for,
/// the most specific entry covering it being one, grouped as <paramref name="Elements"/>. <c>--return-nomatch</c>
/// matches these and not <paramref name="Elements"/>.
/// </param>
/// <param name="HasNomatch">True for the types with the kernel's nomatch feature, where <c>--return-nomatch</c> applies.</param>
public sealed record IpsetSet(
    string Name,
    string Type,
    int? IpVersion,
    IReadOnlyList<IpsetDimension> Dimensions,
    IReadOnlyList<FieldValues[]> Elements,
    IReadOnlyList<string> Members,
    int Entries,
    string? Unsupported = null,
    IReadOnlyList<FieldValues[]>? NomatchElements = null,
    bool HasNomatch = false)
{
    /// <summary>True for <c>list:set</c>: a lookup tries its <see cref="Members"/> in order.</summary>
    public bool IsList => Type == IpsetTypes.ListSet;

    /// <summary>Its entries reduced for change detection (<see cref="SetContent"/>); null when not read from a dump.</summary>
    public SetContent? Content { get; init; }
}

/// <summary>Every set of one <c>ipset save</c>, by name. Immutable.</summary>
/// <param name="Sets">The sets by name.</param>
public sealed record IpsetCatalog(IReadOnlyDictionary<string, IpsetSet> Sets)
{
    public static IpsetCatalog Empty { get; } = new(new Dictionary<string, IpsetSet>(StringComparer.Ordinal));
}
