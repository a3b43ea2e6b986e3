namespace PortExporter.Firewall.Model;

/// <summary>nft concatenation: <c>ip saddr . tcp dport { 10.0.0.1 . 22, ... }</c>.</summary>
/// <param name="fields">The concatenated fields.</param>
/// <param name="elements">Each element: one value set per field.</param>
/// <param name="negate">For <c>!=</c>.</param>
public sealed class ConcatMatch(IReadOnlyList<PacketField> fields, IReadOnlyList<FieldValues[]> elements, bool negate = false) : RuleMatch
{
    public IReadOnlyList<PacketField> Fields { get; } = fields;

    public IReadOnlyList<FieldValues[]> Elements { get; } = elements;

    public override MatchResult Evaluate(PacketState packet) => Lookup(Fields, Elements, packet, out _).Negate(negate);

    /// <summary>Yes with the index of the element every field matches; Unknown when one might; No otherwise.</summary>
    public static MatchResult Lookup(IReadOnlyList<PacketField> fields, IReadOnlyList<FieldValues[]> elements, PacketState packet, out int index)
    {
        var unknown = false;
        index = -1;
        for (var e = 0; e < elements.Count; e++)
        {
            var element = elements[e];
            var result = MatchResult.Yes;
            for (var i = 0; i < fields.Count && result != MatchResult.No; i++)
            {
                var r = TestComponent(fields[i], element[i], packet);
                if (r != MatchResult.Yes)
                {
                    result = r;
                }
            }

            if (result == MatchResult.Yes)
            {
                index = e;
                return MatchResult.Yes;
            }

            unknown |= result == MatchResult.Unknown;
        }

        return unknown ? MatchResult.Unknown : MatchResult.No;
    }

    private static MatchResult TestComponent(PacketField field, FieldValues values, PacketState packet) =>
        values is NumericValues { IpVersion: { } v } && v != packet.IpVersion ? MatchResult.No : values.Test(field, packet);
}
