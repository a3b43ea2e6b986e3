using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>
/// Matches on IP header fields the simulated connection's first packet has by the nature of an ordinary client:
/// <list type="bullet">
/// <item><c>-m hl --hl-eq|--hl-lt|--hl-gt N</c> and <c>-m ttl --ttl-eq|--ttl-lt|--ttl-gt N</c>: the simulated client
/// is a Linux or macOS host on the link, whose TCP or UDP packet arrives with the stack's default of
/// <see cref="ClientHopLimit"/>, as the simulated packet's mark is 0 and its type unicast. 255 is what neighbour
/// discovery and other link-local protocols send, 1 what multicast listener reports send. A client further away
/// arrives with fewer; only a rule that tells 64 from a smaller count could decide differently for it.</item>
/// <item><c>-m rt</c>: the IPv6 routing header. A client's first packet carries none, and the kernel's match fails
/// without the header whatever its options (a <c>!</c> inverts only the comparison of a header that is there).</item>
/// </list>
/// </summary>
internal static class HeaderModules
{
    /// <summary>The hop limit (IPv6) or TTL (IPv4) the simulated client's packet arrives with.</summary>
    public const int ClientHopLimit = 64;

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
                ? new ConstantMatch(Compare(comparison, (int)n) != negate ? MatchResult.Yes : MatchResult.No)
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

    private static bool Compare(string comparison, int n) => comparison switch
    {
        "eq" => ClientHopLimit == n,
        "lt" => ClientHopLimit < n,
        _ => ClientHopLimit > n,
    };
}
