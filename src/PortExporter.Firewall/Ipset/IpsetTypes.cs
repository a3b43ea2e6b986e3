namespace PortExporter.Firewall.Ipset;

/// <summary>What the simulator knows of one ipset type: its dimensions and whether its entries can be nets.</summary>
/// <param name="Dimensions">What each dimension holds, in the order of the type's name.</param>
/// <param name="OnlyIpv4">True for <c>bitmap:ip</c>, which has no <c>family</c> and holds IPv4 addresses.</param>
/// <param name="EitherFamily">True for the types without addresses (<c>bitmap:port</c>): they match IPv4 and IPv6 packets.</param>
internal sealed record IpsetType(IpsetDimension[] Dimensions, bool OnlyIpv4 = false, bool EitherFamily = false);

/// <summary>The ipset types whose lookups the simulator models, by the name <c>ipset save</c> prints. Another type's set is read but <c>Unsupported</c>.</summary>
internal static class IpsetTypes
{
    public const string ListSet = "list:set";

    public static IReadOnlyDictionary<string, IpsetType> ByName { get; } = new Dictionary<string, IpsetType>(StringComparer.Ordinal)
    {
        ["hash:ip"] = new([IpsetDimension.Address]),
        ["hash:net"] = new([IpsetDimension.Address]),
        ["bitmap:ip"] = new([IpsetDimension.Address], OnlyIpv4: true),
        ["hash:ip,port"] = new([IpsetDimension.Address, IpsetDimension.Port]),
        ["hash:net,port"] = new([IpsetDimension.Address, IpsetDimension.Port]),
        ["bitmap:port"] = new([IpsetDimension.Port], EitherFamily: true),
        [ListSet] = new([], EitherFamily: true),
    };
}
