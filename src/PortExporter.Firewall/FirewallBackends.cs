namespace PortExporter.Firewall;

/// <summary>The <c>backend</c> label values: which tool describes a table.</summary>
public static class FirewallBackends
{
    /// <summary>Native nftables tables, read from <c>nft -j list ruleset</c>.</summary>
    public const string Nftables = "nftables";

    /// <summary>IPv4 tables made by iptables-nft, read from <c>iptables-nft-save -c</c>.</summary>
    public const string IptablesNft = "iptables-nft";

    /// <summary>IPv6 tables made by ip6tables-nft, read from <c>ip6tables-nft-save -c</c>.</summary>
    public const string Ip6tablesNft = "ip6tables-nft";

    /// <summary>x_tables (legacy) IPv4 tables, read from <c>iptables-legacy-save -c</c>.</summary>
    public const string IptablesLegacy = "iptables-legacy";

    /// <summary>x_tables (legacy) IPv6 tables, read from <c>ip6tables-legacy-save -c</c>.</summary>
    public const string Ip6tablesLegacy = "ip6tables-legacy";

    /// <summary>The ipsets that iptables rules look up with <c>-m set</c>, read from <c>ipset save</c> (sets, not a table backend).</summary>
    public const string Ipset = "ipset";

    /// <summary>firewalld is running (its rules are in one of the backends above).</summary>
    public const string Firewalld = "firewalld";

    /// <summary>ufw is enabled (its rules are in the iptables backends above).</summary>
    public const string Ufw = "ufw";

    /// <summary>The <c>backend</c> of a decision made with no rule on the path.</summary>
    public const string None = "none";
}
