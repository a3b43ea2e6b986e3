using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>
/// Matches on IP header fields the simulated connection's first packet has by the nature of an ordinary client:
/// <list type="bullet">
/// <item><c>-m hl --hl-eq|--hl-lt|--hl-gt N</c> and <c>-m ttl --ttl-eq|--ttl-lt|--ttl-gt N</c>: a match on the
/// packet's hop limit (<see cref="PacketState.HopLimit"/>): a simulated client is a Linux or macOS host on the link,
/// whose TCP or UDP packet arrives with the stack's default of <see cref="PacketState.ClientHopLimit"/>; neighbour
/// discovery arrives with 255. A client further away arrives with fewer; only a rule that tells 64 from a smaller
/// count could decide differently for it.</item>
/// <item><c>-m rt</c>: the IPv6 routing header. A client's first packet carries none, and the kernel's match fails
/// without the header whatever its options (a <c>!</c> inverts only the comparison of a header that is there).</item>
/// </list>
/// </summary>
internal static class HeaderModules
{
    public static ModuleOptionResult ReadHopLimit(ModuleContext context, string module, string option, bool negate)
    {
        var comparison = option switch
        {
            "--hl-eq" or "--ttl-eq" => "eq",
            "--hl-lt" or "--ttl-lt" => "lt",
            "--hl-gt" or "--ttl-gt" => "gt",
            _ => null,
        };
        if (comparison is null)
        {
            return ModuleOptionResult.NotUnderstood;
        }

        return context.WithValue(text => context.Matches.Add(
            FirewallValueParser.TryUInt(text, out var n) && n <= 255
                ? new FieldMatch(PacketField.HopLimit, new NumericValues(Values(comparison, n)), negate)
                : new UnknownMatch($"{option} {text}")));
    }

    public static ModuleOptionResult ReadRoutingHeader(ModuleContext context, string module, string option, bool negate)
    {
        switch (option)
        {
            case "--rt-0-res" or "--rt-0-not-strict":
                context.Matches.Add(new ConstantMatch(MatchResult.No));
                return ModuleOptionResult.Done;
            case "--rt-type" or "--rt-segsleft" or "--rt-len" or "--rt-0-addrs":
                return context.WithValue(_ => context.Matches.Add(new ConstantMatch(MatchResult.No)));
            default:
                return ModuleOptionResult.NotUnderstood;
        }
    }

    /// <summary>The hop limits (0-255) a comparison with <paramref name="n"/> admits.</summary>
    private static IntervalSet Values(string comparison, uint n) => comparison switch
    {
        "eq" => IntervalSet.One(n),
        "lt" => n == 0 ? IntervalSet.Empty : IntervalSet.Range(0, n - 1),
        _ => n == 255 ? IntervalSet.Empty : IntervalSet.Range(n + 1, 255),
    };
}
