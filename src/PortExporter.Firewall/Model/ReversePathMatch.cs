namespace PortExporter.Firewall.Model;

/// <summary>
/// A reverse path lookup (nft <c>fib saddr . iif oif missing</c>, <c>fib saddr oif exists</c>): whether the host's route
/// back to the packet's source leaves by the interface it came in on (<paramref name="incomingOnly"/>, the <c>iif</c>
/// flag), or exists at all. Loopback packets always find theirs, as the kernel's lookup does. Without the host's routes
/// (<see cref="PacketState.RouteBackKnown"/>) the lookup is taken to find the incoming interface.
/// </summary>
/// <param name="incomingOnly">The lookup is limited to the incoming interface (strict).</param>
/// <param name="exists">What the rule compares with: true for <c>exists</c>, false for <c>missing</c>.</param>
/// <param name="negate">The rule's comparison is <c>!=</c>.</param>
public sealed class ReversePathMatch(bool incomingOnly, bool exists, bool negate) : RuleMatch
{
    private const string Loopback = "lo";

    public override MatchResult Evaluate(PacketState packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var found = !packet.RouteBackKnown || packet.InInterface == Loopback || packet.SourceIsLocal
            || (incomingOnly ? packet.RouteBackInterface == packet.InInterface : packet.RouteBackInterface is not null);
        return MatchResults.Of(found == exists).Negate(negate);
    }
}
