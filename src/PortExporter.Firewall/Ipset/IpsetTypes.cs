namespace PortExporter.Firewall.Ipset;

/// <summary>What the simulator knows of one ipset type: its dimensions and whether its entries can be nets.</summary>
/// <param name="Dimensions">What each dimension holds, in the order of the type's name.</param>
/// <param name="OnlyIpv4">True for <c>bitmap:ip</c>, which has no <c>family</c> and holds IPv4 addresses.</param>
/// <param name="EitherFamily">True for the types without addresses (<c>bitmap:port</c>): they match IPv4 and IPv6 packets.</param>
/// <param name="NoMatch">
/// True for the types with the kernel's IPSET_TYPE_NOMATCH feature (the <c>net</c> types): their entries can be
/// <c>nomatch</c>, and <c>--return-nomatch</c> inverts what a lookup in them finds.
/// </param>
internal sealed record IpsetType(IpsetDimension[] Dimensions, bool OnlyIpv4 = false, bool EitherFamily = false, bool NoMatch = false);

/// <summary>The ipset types whose lookups the simulator models, by the name <c>ipset save</c> prints. Another type's set is read but <c>Unsupported</c>.</summary>
internal static class IpsetTypes
{
    public const string ListSet = "list:set";

    public static IReadOnlyDictionary<string, IpsetType> ByName { get; } = new Dictionary<string, IpsetType>(StringComparer.Ordinal)
    {
        ["hash:ip"] = new([IpsetDimension.Address]),
        ["hash:net"] = new([IpsetDimension.Address], NoMatch: true),
        ["bitmap:ip"] = new([IpsetDimension.Address], OnlyIpv4: true),
        ["hash:ip,port"] = new([IpsetDimension.Address, IpsetDimension.Port]),
        ["hash:net,port"] = new([IpsetDimension.Address, IpsetDimension.Port], NoMatch: true),
        ["hash:net,iface"] = new([IpsetDimension.Address, IpsetDimension.Interface], NoMatch: true),
        ["bitmap:port"] = new([IpsetDimension.Port], EitherFamily: true),
        [ListSet] = new([], EitherFamily: true),
    };
}
