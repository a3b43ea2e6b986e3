using System.Text.RegularExpressions;

namespace PortExporter.Firewall.Ipset;

/// <summary>
/// A block made by a set of sources rather than by a rule about the port: an ipset or nft set lookup, and fail2ban's
/// bans (its <c>f2b-JAIL</c> chain, its <c>f2b-JAIL</c> ipset, its nftables <c>addr-set-JAIL</c>). The fix for
/// those is in the set (or in fail2ban), not an ACCEPT rule before them, which would open the port to every
/// source the set is there to keep out.
/// </summary>
/// <param name="Set">The set the deciding rule looks up, or null (a rule of a fail2ban chain).</param>
/// <param name="Allowlist">True when the rule blocks sources not in the set (<c>! --match-set</c>, <c>!= @set</c>).</param>
/// <param name="Fail2banJail">The fail2ban jail that made the rule, or null.</param>
public sealed partial record SetBlock(string? Set, bool Allowlist, string? Fail2banJail)
{
    /// <summary>The set block that made <paramref name="decision"/>, or null when its rule is not one.</summary>
    public static SetBlock? Of(FirewallDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var match = decision.Backend == FirewallBackends.Nftables ? NftSet().Match(decision.Rule) : IptablesSet().Match(decision.Rule);
        string? set = match.Success ? match.Groups["set"].Value : null;
        var allowlist = match.Success && match.Groups["not"].Success;
        var jail = decision.Backend == FirewallBackends.Nftables
            ? decision.Table == "f2b-table" && set is not null && NftJailSet().Match(set) is { Success: true } n ? n.Groups["jail"].Value : null
            : IptablesJail().Match(set ?? decision.Chain) is { Success: true } j ? j.Groups["jail"].Value : null;
        return set is null && jail is null ? null : new SetBlock(set, allowlist, jail);
    }

    /// <summary>What to do about it for <paramref name="source"/>.</summary>
    public string Fix(string source) => (Fail2banJail, Set, Allowlist) switch
    {
        ({ } jail, _, _) => $"fail2ban jail {jail} bans {source}: fail2ban-client set {jail} unbanip {source} (a banned range is unbanned as listed by fail2ban-client get {jail} banip), and add it to the jail's ignoreip if it must never be banned; an ACCEPT before the ban would switch the jail off.",
        (_, { } set, true) => $"{source} is not in the allowlist set {set}: add it there if it should connect (ipset add {set} {source}, or nft add element for an nft set), and persist the set where it is managed.",
        (_, { } set, false) => $"{source} is in the set {set}: remove the entry that holds it if it should connect (ipset test {set} {source} / ipset del {set} ENTRY, or nft delete element for an nft set), and persist the set where it is managed.",
        _ => string.Empty,
    };

    [GeneratedRegex(@"-m set (?<not>! )?--match-set (?<set>\S+) ")]
    private static partial Regex IptablesSet();

    [GeneratedRegex(@"(?:saddr|daddr|dport|sport) (?<not>!= )?@(?<set>[A-Za-z0-9_.\-]+)")]
    private static partial Regex NftSet();

    [GeneratedRegex(@"^f2b-(?<jail>.+?)6?$")]
    private static partial Regex IptablesJail();

    [GeneratedRegex(@"^addr6?-set-(?<jail>.+)$")]
    private static partial Regex NftJailSet();
}
