namespace PortExporter.Firewall.Firewalld;

/// <summary>Where firewalld keeps the rules it generates: what it rewrites on every <c>firewall-cmd --reload</c>.</summary>
public static class FirewalldRules
{
    /// <summary>The nftables table of firewalld's nftables backend (<c>table inet firewalld</c>).</summary>
    public const string NftTable = "firewalld";

    /// <summary>True when <paramref name="decision"/> was made by a rule firewalld generated (its nft table, or its iptables zone chains).</summary>
    public static bool Made(FirewallDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Table == NftTable
            || (decision.Backend != FirewallBackends.Nftables && (decision.Chain == "INPUT_ZONES" || decision.Chain.StartsWith("IN_", StringComparison.Ordinal)));
    }
}
