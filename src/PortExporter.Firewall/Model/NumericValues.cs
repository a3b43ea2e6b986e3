namespace PortExporter.Firewall.Model;

/// <summary>Numbers: protocols, ports, marks, packet types, IP versions, or addresses of one IP version.</summary>
/// <param name="set">The values.</param>
/// <param name="ipVersion">For addresses: 4 or 6. A packet of the other version never matches (nor its negation).</param>
public sealed class NumericValues(IntervalSet set, int? ipVersion = null) : FieldValues
{
    public IntervalSet Set { get; } = set;

    public int? IpVersion { get; } = ipVersion;

    public override MatchResult Test(PacketField field, PacketState packet) => field switch
    {
        PacketField.IpVersion => MatchResults.Of(Set.Contains((UInt128)packet.IpVersion)),
        PacketField.L4Protocol => MatchResults.Of(Set.Contains(packet.Protocol)),
        PacketField.SourceAddress => MatchResults.Of(Set.Contains(packet.Source)),
        PacketField.DestinationAddress => MatchResults.Of(Set.Contains(packet.Destination)),
        PacketField.DestinationPort => Set.Covers((UInt128)packet.DestinationPortLow, (UInt128)packet.DestinationPortHigh),
        PacketField.SourcePort => Set.Covers((UInt128)packet.SourcePortLow, (UInt128)packet.SourcePortHigh),
        PacketField.IcmpType => packet.Protocol is PacketState.Icmp or PacketState.Icmpv6 ? MatchResults.Of(Set.Contains(packet.IcmpType)) : MatchResult.No,
        PacketField.Mark => packet.Mark is { } mark ? MatchResults.Of(Set.Contains(mark)) : MatchResult.Unknown,
        PacketField.PacketType => MatchResults.Of(Set.Contains(packet.PacketType)),
        PacketField.HopLimit => MatchResults.Of(Set.Contains((UInt128)packet.HopLimit)),
        PacketField.TcpFlags => MatchResults.Of(Set.Contains(packet.TcpFlags)),
        _ => MatchResult.Unknown,
    };
}
