using System.Collections.Frozen;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>
/// The match modules the iptables-save compiler understands, by name: one small handler per module family. A
/// module missing here, or an option its handler does not know, becomes an <c>UnknownMatch</c> naming it.
/// </summary>
internal static class IptablesMatchModules
{
    public static FrozenDictionary<string, IptablesMatchModule> ByName { get; } = new Dictionary<string, IptablesMatchModule>(StringComparer.Ordinal)
    {
        ["tcp"] = new(PortModules.Read, KnownWithoutOptions: true),
        ["udp"] = new(PortModules.Read, KnownWithoutOptions: true),
        ["sctp"] = new(PortModules.Read),
        ["dccp"] = new(PortModules.Read),
        ["udplite"] = new(PortModules.Read),
        ["multiport"] = new(MultiportModule.Read),
        ["state"] = new(ConntrackModules.Read),
        ["conntrack"] = new(ConntrackModules.Read),
        ["comment"] = new(CommentModule.Read, KnownWithoutOptions: true),
        ["limit"] = new(RateLimitModules.ReadLimit, KnownWithoutOptions: true),
        ["hashlimit"] = new(RateLimitModules.ReadHashLimit),
        ["icmp"] = new(IcmpModules.Read, KnownWithoutOptions: true),
        ["icmp6"] = new(IcmpModules.Read, KnownWithoutOptions: true),
        ["addrtype"] = new(AddressModules.ReadAddressType),
        ["iprange"] = new(AddressModules.ReadRange),
        ["mark"] = new(PacketModules.ReadMark),
        ["pkttype"] = new(PacketModules.ReadPacketType),
        ["rpfilter"] = new(PacketModules.ReadReversePath, KnownWithoutOptions: true),
        ["set"] = new(SetModule.Read),
        ["recent"] = new(RecentModule.Read),
        ["hl"] = new(HeaderModules.ReadHopLimit),
        ["ttl"] = new(HeaderModules.ReadHopLimit),
        ["rt"] = new(HeaderModules.ReadRoutingHeader),
        ["statistic"] = new(StatisticModule.Read),
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
