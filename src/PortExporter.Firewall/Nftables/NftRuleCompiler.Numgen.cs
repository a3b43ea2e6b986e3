using System.Text.Json;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

// `numgen random|inc mod N [offset O]`: a number the kernel draws per new connection (kube-proxy's choice of an endpoint).
internal sealed partial class NftRuleCompiler
{
    /// <summary>The values the rule's <c>numgen</c> draws from (O to O+N-1), once one was read.</summary>
    private (ulong Low, ulong High)? _randomRange;

    /// <summary>
    /// <c>numgen</c> as a left-hand side: <see cref="PacketField.RandomNumber"/>, any value of its range. <c>inc</c>
    /// (round robin) is as much a choice for one connection as <c>random</c>.
    /// </summary>
    private LeftSide Numgen(JsonElement value, List<RuleMatch> deps)
    {
        if (Str(value, "mode") is not ("random" or "inc") || Long(value, "mod") is not ({ } mod and > 0))
        {
            return new(null, null, $"numgen {NftText.Expr(value)}");
        }

        var offset = (ulong)Math.Max(0, Long(value, "offset") ?? 0);
        _randomRange = (offset, offset + (ulong)mod - 1);
        return new(PacketField.RandomNumber, null, null);
    }
}
