namespace PortExporter.Firewall.Model;

/// <summary>A chain and its rules, in order.</summary>
/// <param name="Name">The chain name.</param>
/// <param name="BaseHook">Set for a base chain (attached to a hook), null for a user chain reached by jump/goto.</param>
/// <param name="Rules">The rules in evaluation order.</param>
/// <param name="PolicyPackets">The policy's packet counter (iptables keeps one per built-in chain), when known.</param>
public sealed record FirewallChain(string Name, BaseChainHook? BaseHook, IReadOnlyList<FirewallRule> Rules, long? PolicyPackets = null)
{
    // One exact-size array, not the parser's list plus a copy.
    private readonly FirewallRule[] _rules = [.. Rules];

    /// <summary>The rules in evaluation order.</summary>
    public IReadOnlyList<FirewallRule> Rules => _rules;

    /// <summary>The rules as an array, for the evaluator's hot loop.</summary>
    internal FirewallRule[] RuleArray => _rules;
}
