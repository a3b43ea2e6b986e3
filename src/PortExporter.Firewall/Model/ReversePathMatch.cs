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
        var found = !packet.RouteBackKnown || packet.SourceIsLocal || Finds(incomingOnly, packet.InInterface, packet.RouteBackInterface);
        return MatchResults.Of(found == exists).Negate(negate);
    }

    /// <summary>
    /// The kernel's reverse path check for a packet that came in on <paramref name="ingress"/> whose source routes back
    /// by <paramref name="routeBack"/> (null: no route): strict (<paramref name="incomingOnly"/>), it must leave by the
    /// incoming interface; loose, it must exist. Loopback always passes. The ruleset's lookups and the rp_filter sysctl
    /// both decide with it. Pure.
    /// </summary>
    public static bool Finds(bool incomingOnly, string ingress, string? routeBack) =>
        ingress == Loopback || (incomingOnly ? string.Equals(routeBack, ingress, StringComparison.Ordinal) : routeBack is not null);
}
