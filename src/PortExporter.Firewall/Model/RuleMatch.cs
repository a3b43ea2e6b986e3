namespace PortExporter.Firewall.Model;

/// <summary>One condition of a rule. Immutable; evaluated against many packets from many threads.</summary>
public abstract class RuleMatch
{
    public abstract MatchResult Evaluate(PacketState packet);

    /// <summary>Why the match can answer unknown (the match the evaluator does not understand), or null.</summary>
    public virtual string? UnknownReason => null;
}
