namespace PortExporter.Firewall.Model;

/// <summary>
/// <c>-m limit</c>, <c>-m hashlimit</c>, nft <c>limit rate</c>: one new connection is within any burst, so a
/// plain limit passes it and a <c>limit rate over</c> / <c>--hashlimit-above</c> does not.
/// </summary>
public sealed class RateLimitMatch(bool over) : RuleMatch
{
    public bool Over { get; } = over;

    public override MatchResult Evaluate(PacketState packet) => Over ? MatchResult.No : MatchResult.Yes;
}
