namespace PortExporter.Firewall.Model;

/// <summary>How a <see cref="MaskedMatch"/> compares.</summary>
public enum MaskedComparison
{
    /// <summary><c>(x &amp; mask) == value</c>.</summary>
    Equal,

    /// <summary><c>(x &amp; mask) != value</c>.</summary>
    NotEqual,

    /// <summary><c>(x &amp; value) != 0</c> (nft <c>in</c> on flags).</summary>
    AnyBit,

    /// <summary><c>(x &amp; value) == 0</c>.</summary>
    NoBit,
}

/// <summary>A bitwise test on a numeric field: <c>tcp flags &amp; (syn|ack) == syn</c>, <c>-m mark --mark 1/0xff</c>.</summary>
public sealed class MaskedMatch(PacketField field, uint mask, uint value, MaskedComparison comparison) : RuleMatch
{
    public override MatchResult Evaluate(PacketState packet)
    {
        uint x;
        switch (field)
        {
            case PacketField.TcpFlags:
                if (packet.Protocol != PacketState.Tcp)
                {
                    // Only TCP packets have flags: nft's implicit dependency and iptables' -p tcp both fail first.
                    return MatchResult.No;
                }

                x = packet.TcpFlags;
                break;
            case PacketField.Mark:
                if (packet.Mark is not { } mark)
                {
                    return MatchResult.Unknown;
                }

                x = mark;
                break;
            case PacketField.ConntrackState:
                x = (uint)packet.ConntrackState;
                break;
            case PacketField.ConntrackStatus:
                x = packet.ConntrackStatus;
                break;
            default:
                return MatchResult.Unknown;
        }

        return comparison switch
        {
            MaskedComparison.Equal => MatchResults.Of((x & mask) == value),
            MaskedComparison.NotEqual => MatchResults.Of((x & mask) != value),
            MaskedComparison.AnyBit => MatchResults.Of((x & value) != 0),
            _ => MatchResults.Of((x & value) == 0),
        };
    }
}
