namespace PortExporter.Firewall.Model;

/// <summary>The right-hand side of a match on one <see cref="PacketField"/>: a value, a set, a range, a prefix.</summary>
public abstract class FieldValues
{
    /// <summary>Whether the packet's value of <paramref name="field"/> is in the set (before any negation).</summary>
    public abstract MatchResult Test(PacketField field, PacketState packet);
}
