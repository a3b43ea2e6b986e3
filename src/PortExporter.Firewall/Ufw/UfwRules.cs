namespace PortExporter.Firewall.Ufw;

/// <summary>
/// Where ufw keeps the rules it generates: its <c>ufw-*</c> and <c>ufw6-*</c> chains in the iptables filter tables, and
/// the policies of INPUT, FORWARD and OUTPUT it sets (<c>ufw default deny incoming</c> is INPUT's policy DROP). ufw
/// rewrites them all on <c>ufw reload</c> and at boot from /etc/ufw, so a rule added there with iptables is lost.
/// </summary>
public static class UfwRules
{
    /// <summary>The chain of the user's own incoming rules (<c>ufw allow 22/tcp</c>, <c>ufw deny 8080</c>).</summary>
    public const string UserInputChain = "ufw-user-input";

    /// <summary>The same for IPv6.</summary>
    public const string UserInput6Chain = "ufw6-user-input";

    /// <summary>The chain of the user's routed rules (<c>ufw route deny ...</c>).</summary>
    public const string UserForwardChain = "ufw-user-forward";

    /// <summary>The same for IPv6.</summary>
    public const string UserForward6Chain = "ufw6-user-forward";

    /// <summary>True when ufw is enabled on this ruleset: an iptables filter table holds its user chains.</summary>
    public static bool Manages(Model.FirewallRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        return ruleset.Tables.Any(t => t.Backend != FirewallBackends.Nftables && t.Name == "filter"
            && (t.Chains.ContainsKey(UserInputChain) || t.Chains.ContainsKey(UserInput6Chain)));
    }

    /// <summary>
    /// True when <paramref name="decision"/> was made by ufw on a host it manages: a rule in one of its chains, or the
    /// policy of a built-in chain of the filter table (which ufw sets); not a rule someone added to INPUT or FORWARD
    /// by hand, nor Docker's chains.
    /// </summary>
    public static bool Made(FirewallDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.Backend == FirewallBackends.Nftables || decision.Table != "filter")
        {
            return false;
        }

        return IsUfwChain(decision.Chain)
            || (decision.Chain is "INPUT" or "FORWARD" && decision.Rule.StartsWith("policy ", StringComparison.Ordinal));
    }

    /// <summary>True when <paramref name="decision"/> is a user rule (<c>ufw deny</c>, <c>ufw reject</c>, <c>ufw route deny</c>).</summary>
    public static bool IsUserRule(FirewallDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Chain is UserInputChain or UserInput6Chain or UserForwardChain or UserForward6Chain;
    }

    private static bool IsUfwChain(string chain) =>
        chain.StartsWith("ufw-", StringComparison.Ordinal) || chain.StartsWith("ufw6-", StringComparison.Ordinal);
}
