namespace PortExporter.Firewall.Model;

/// <summary>nft <c>vmap</c>: a key made of packet fields and, per element, the verdict to take.</summary>
/// <param name="Keys">The fields of the key (one, or several concatenated).</param>
/// <param name="Entries">The elements: one value set per key field, and the action.</param>
public sealed record VerdictMap(IReadOnlyList<PacketField> Keys, IReadOnlyList<VerdictMapEntry> Entries)
{
    /// <summary>The values a <see cref="PacketField.RandomNumber"/> key can take (<c>numgen ... mod N offset O</c>: O to O+N-1), or null.</summary>
    public (ulong Low, ulong High)? RandomRange { get; init; }
}

/// <summary>One element of a <see cref="VerdictMap"/>.</summary>
public sealed record VerdictMapEntry(FieldValues[] Key, RuleAction Action);
