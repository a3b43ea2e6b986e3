namespace PortExporter.Firewall.Model;

/// <summary>
/// <c>-m conntrack --ctstate ...,DNAT</c>: the connection is in one of the states, or its destination was translated
/// (the DNAT pseudo-state: the original destination differs from the reply's source, as after a DNAT or REDIRECT on
/// the way so far). kube-proxy's <c>KUBE-FIREWALL</c> drops traffic to 127.0.0.0/8 that is <c>! --ctstate
/// RELATED,ESTABLISHED,DNAT</c>.
/// </summary>
public sealed class ConntrackStateOrDnatMatch(ConntrackStates states, bool negate) : RuleMatch
{
    public override MatchResult Evaluate(PacketState packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return MatchResults.Of((states & packet.ConntrackState) != 0 || packet.DestinationNatted).Negate(negate);
    }
}
