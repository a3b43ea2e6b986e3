namespace PortExporter.Core.Firewall.Model;

/// <summary><c>field in values</c>, or its negation (<c>!=</c>, iptables <c>!</c>).</summary>
public sealed class FieldMatch(PacketField field, FieldValues values, bool negate = false) : RuleMatch
{
    public PacketField Field { get; } = field;

    public FieldValues Values { get; } = values;

    public bool Negate { get; } = negate;

    public override MatchResult Evaluate(PacketState packet)
    {
        // An address of the other IP version is not compared at all: `ip saddr != 10.0.0.0/8` never matches IPv6.
        if (Values is NumericValues { IpVersion: { } version } && version != packet.IpVersion)
        {
            return MatchResult.No;
        }

        return Values.Test(Field, packet).Negate(Negate);
    }
}
