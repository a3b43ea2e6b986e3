namespace PortExporter.Firewall.Model;

/// <summary><c>field in values</c>, or its negation (<c>!=</c>, iptables <c>!</c>).</summary>
public sealed class FieldMatch(PacketField field, FieldValues values, bool negate = false) : RuleMatch
{
    // Protocol dependencies nft leaves implicit (`tcp dport` is "TCP and dport", `ip saddr` in an inet table is
    // "IPv4 and saddr") make one of these matches in nearly every rule: one shared instance of each, made on first use.
    private static readonly FieldMatch?[] ProtocolMatches = new FieldMatch?[256];
    private static readonly FieldMatch?[] IpVersionMatches = new FieldMatch?[2];

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

    /// <summary>The shared <c>protocol == <paramref name="protocol"/></c> match.</summary>
    internal static FieldMatch ProtocolIs(byte protocol) => Shared(ProtocolMatches, protocol, PacketField.L4Protocol, protocol);

    /// <summary>The shared <c>IP version == <paramref name="version"/></c> match.</summary>
    /// <param name="version">4 or 6.</param>
    internal static FieldMatch IpVersionIs(int version) => version is 4 or 6
        ? Shared(IpVersionMatches, version == 4 ? 0 : 1, PacketField.IpVersion, (UInt128)version)
        : throw new ArgumentOutOfRangeException(nameof(version), version, "4 or 6");

    private static FieldMatch Shared(FieldMatch?[] cache, int slot, PacketField field, UInt128 value)
    {
        if (Volatile.Read(ref cache[slot]) is { } shared)
        {
            return shared;
        }

        var made = new FieldMatch(field, new NumericValues(IntervalSet.One(value)));
        return Interlocked.CompareExchange(ref cache[slot], made, null) ?? made;
    }
}
