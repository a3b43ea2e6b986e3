namespace PortExporter.Firewall.Model;

/// <summary>A match whose answer for the simulated packet is fixed (<c>-f</c>: it is never a fragment).</summary>
public sealed class ConstantMatch(MatchResult result) : RuleMatch
{
    public override MatchResult Evaluate(PacketState packet) => result;
}
