namespace PortExporter.Firewall.Model;

/// <summary>A match the evaluator does not understand (an xt match in nft JSON, <c>-m set</c> without the set's contents, <c>-m string</c>, ...): always unknown.</summary>
public sealed class UnknownMatch(string reason) : RuleMatch
{
    public override string? UnknownReason { get; } = reason;

    public override MatchResult Evaluate(PacketState packet) => MatchResult.Unknown;
}
