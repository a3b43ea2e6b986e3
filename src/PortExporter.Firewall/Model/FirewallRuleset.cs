namespace PortExporter.Firewall.Model;

/// <summary>
/// The host's whole ruleset, compiled: every table of every backend. Immutable and thread-safe once built;
/// the evaluator reads it from many threads.
/// </summary>
/// <param name="Tables">Tables in the order they were read (nftables first, then legacy iptables).</param>
public sealed record FirewallRuleset(IReadOnlyList<FirewallTable> Tables)
{
    public static FirewallRuleset Empty { get; } = new([]);

    /// <summary>The ipsets that <c>-m set</c> rules look up (they belong to no table), sorted by name; empty when none was read.</summary>
    public IReadOnlyList<SetContent> Ipsets { get; init; } = [];

    /// <summary>Number of rules in all chains.</summary>
    public int RuleCount => Tables.Sum(t => t.Chains.Values.Sum(c => c.Rules.Count));
}
