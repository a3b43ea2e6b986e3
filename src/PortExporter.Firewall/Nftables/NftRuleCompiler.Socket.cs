using System.Text.Json;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

// `socket KEY`: the socket the kernel looks up for the packet (nft_socket.c).
internal sealed partial class NftRuleCompiler
{
    /// <summary>
    /// <c>socket transparent</c> compared with a number. For a new connection the kernel looks the socket up by the
    /// packet's addresses and ports (nf_sk_lookup_slow_v4/v6, established then listening sockets): it finds the
    /// watched port's own listener, or nothing, in which case the rule does not match (NFT_BREAK). A service's
    /// listener is not transparent unless it set IP_TRANSPARENT itself (a TPROXY proxy), so the key reads 0. Where 0
    /// fails the comparison the rule never matches (<c>socket transparent 1</c>: No); where 0 passes it matches only
    /// when something listens, which the firewall walk does not know (Unknown, naming it). Checked against the kernel: with a plain
    /// listener <c>socket transparent 0 drop</c> drops the SYN and <c>socket transparent 1 drop</c> lets it through;
    /// without one neither matches. The other keys (mark, wildcard, cgroupv2) stay unknown.
    /// </summary>
    private bool SocketMatch(JsonElement socket, JsonElement right, string op)
    {
        if (Str(socket, "key") != "transparent" || op is not ("==" or "!=") || right.ValueKind != JsonValueKind.Number || !right.TryGetInt64(out var value))
        {
            return false;
        }

        var zeroPasses = (value == 0) == (op == "==");
        _matches.Add(zeroPasses
            ? new UnknownMatch($"socket transparent {(op == "!=" ? "!= " : string.Empty)}{value} (matches when a listener is found for the connection)")
            : new ConstantMatch(MatchResult.No));
        return true;
    }
}
