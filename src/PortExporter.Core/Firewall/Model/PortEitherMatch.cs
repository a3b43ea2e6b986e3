namespace PortExporter.Core.Firewall.Model;

/// <summary><c>-m multiport --ports</c>: the source port or the destination port is in the set.</summary>
public sealed class PortEitherMatch(IntervalSet ports, bool negate = false) : RuleMatch
{
    public override MatchResult Evaluate(PacketState packet)
    {
        var result = ports.Contains((UInt128)packet.DestinationPort)
            ? MatchResult.Yes
            : ports.Covers(PacketState.ClientPortLow, PacketState.ClientPortHigh);
        return result.Negate(negate);
    }
}
