namespace PortExporter.Firewall.Model;

/// <summary>Routing types of an address (iptables <c>-m addrtype</c>, nft <c>fib ... type</c>).</summary>
[Flags]
public enum AddressTypes
{
    None = 0,
    Local = 1,
    Unicast = 2,
    Broadcast = 4,
    Multicast = 8,

    /// <summary>A type the evaluator cannot decide (blackhole, unreachable, anycast, ...).</summary>
    Other = 16,
}

/// <summary>
/// <c>-m addrtype --dst-type LOCAL</c> / <c>fib daddr type local</c>. The simulated destination is a local
/// address (until a DNAT sends it away) and the outside source a unicast one.
/// </summary>
public sealed class AddressTypeMatch(bool source, AddressTypes types, bool negate = false) : RuleMatch
{
    public override MatchResult Evaluate(PacketState packet)
    {
        var actual = !source && packet.DestinationMulticast ? AddressTypes.Multicast
            : (source ? packet.SourceIsLocal : packet.DestinationIsLocal) ? AddressTypes.Local : AddressTypes.Unicast;
        if ((types & actual) != 0)
        {
            return MatchResult.Yes.Negate(negate);
        }

        return (types & AddressTypes.Other) != 0 ? MatchResult.Unknown : MatchResult.No.Negate(negate);
    }
}
