namespace PortExporter.Firewall.Model;

/// <summary><c>-m multiport --ports</c>: the source port or the destination port is in the set.</summary>
public sealed class PortEitherMatch(IntervalSet ports, bool negate = false) : RuleMatch
{
    public override MatchResult Evaluate(PacketState packet)
    {
        var destination = ports.Covers((UInt128)packet.DestinationPortLow, (UInt128)packet.DestinationPortHigh);
        var result = destination == MatchResult.Yes
            ? MatchResult.Yes
            : ports.Covers((UInt128)packet.SourcePortLow, (UInt128)packet.SourcePortHigh) switch
            {
                MatchResult.Yes => MatchResult.Yes,
                MatchResult.No => destination,
                _ => MatchResult.Unknown,
            };
        return result.Negate(negate);
    }
}
