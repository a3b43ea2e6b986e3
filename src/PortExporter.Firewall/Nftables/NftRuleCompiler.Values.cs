using System.Collections.Frozen;
using System.Text.Json;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

// The right-hand side of a match: values, ranges, prefixes, sets, names and flags of one packet field.
internal sealed partial class NftRuleCompiler
{
    /// <summary>Reads the values of one kind of packet field from a right-hand side's elements; null (with why) when one cannot be read.</summary>
    private delegate FieldValues? ElementValuesReader(PacketField field, int? version, ElementList elements, out string? why);

    /// <summary>Values by field: one reader per kind of value; any other field takes numbers, ranges and prefixes.</summary>
    private static readonly FrozenDictionary<PacketField, ElementValuesReader> ElementValues = new Dictionary<PacketField, ElementValuesReader>
    {
        [PacketField.InInterface] = InterfaceElements,
        [PacketField.OutInterface] = InterfaceElements,
        [PacketField.ConntrackState] = ConntrackStateElements,
    }.ToFrozenDictionary();

    /// <summary>Values of <paramref name="field"/> from a right-hand side: a value, a range, a prefix, an anonymous or named set.</summary>
    private FieldValues? Values(PacketField field, int? version, JsonElement right, out string? why)
    {
        if (SetElements(right, out why) is not { } elements)
        {
            return null;
        }

        var read = ElementValues.TryGetValue(field, out var reader) ? reader : NumericElements;
        return read(field, version, elements, out why);
    }

    private static InterfaceValues? InterfaceElements(PacketField field, int? version, ElementList elements, out string? why)
    {
        why = null;
        var names = new string[elements.Count];
        var count = 0;
        foreach (var e in elements)
        {
            var u = Unwrap(e);
            if (u.ValueKind != JsonValueKind.String)
            {
                why = $"interface {u.GetRawText()}";
                return null;
            }

            names[count++] = Word(u);
        }

        return new InterfaceValues(names);
    }

    private static ConntrackStateValues? ConntrackStateElements(PacketField field, int? version, ElementList elements, out string? why)
    {
        why = null;
        var states = ConntrackStates.None;
        foreach (var e in elements)
        {
            var u = Unwrap(e);
            foreach (var item in ElementList.Of(u))
            {
                if (item.ValueKind != JsonValueKind.String || !ConntrackStateNames.TryParse(Word(item), out var s))
                {
                    why = $"ct state {item.GetRawText()}";
                    return null;
                }

                states |= s;
            }
        }

        return new ConntrackStateValues(states);
    }

    private static FieldValues? NumericElements(PacketField field, int? version, ElementList elements, out string? why)
    {
        why = null;
        var count = elements.Count;
        var addressVersion = field is PacketField.SourceAddress or PacketField.DestinationAddress ? version : null;
        if (count == 1)
        {
            // Nearly every rule compares with one value: its interval, no buffer.
            return TryElement(field, version, elements[0], out var lo, out var hi, out why) ? new NumericValues(IntervalSet.Range(lo, hi), addressVersion) : null;
        }

        // The intervals are sorted and merged where they are read (a set of a few values on the stack).
        const int OnStack = 16;
        Span<(UInt128 Low, UInt128 High)> ranges = count <= OnStack ? stackalloc (UInt128 Low, UInt128 High)[OnStack] : new (UInt128 Low, UInt128 High)[count];
        var n = 0;
        foreach (var e in elements)
        {
            if (!TryElement(field, version, e, out var lo, out var hi, out why))
            {
                return null;
            }

            ranges[n++] = (lo, hi);
        }

        return new NumericValues(IntervalSet.OfSorting(ranges[..n]), addressVersion);
    }

    /// <summary>One element of a numeric set: a value, range or prefix, or flags; false (with why) when it cannot be read.</summary>
    private static bool TryElement(PacketField field, int? version, JsonElement element, out UInt128 lo, out UInt128 hi, out string? why)
    {
        why = null;
        var u = Unwrap(element);
        if (u.ValueKind == JsonValueKind.Array && field == PacketField.TcpFlags)
        {
            if (Flags(field, u) is not { } bits)
            {
                why = $"flags {u.GetRawText()}";
                lo = hi = 0;
                return false;
            }

            lo = hi = bits;
            return true;
        }

        if (!TryScalar(field, version, u, out lo, out hi))
        {
            why = $"value {u.GetRawText()}";
            return false;
        }

        return true;
    }

    /// <summary>The elements a right-hand side stands for; null (with why) when they cannot be known.</summary>
    private ElementList? SetElements(JsonElement right, out string? why)
    {
        why = null;
        if (right.ValueKind == JsonValueKind.String && NftJsonChars.StartsWithAt(right))
        {
            var name = right.GetString()![1..];
            if (!_sets.TryGetValue(name, out var set))
            {
                why = $"set @{name} not in the dump";
                return null;
            }

            return ElementList.Of(set.Elements);
        }

        if (right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out var anon))
        {
            return ElementList.Of(anon);
        }

        return ElementList.Of(right);
    }

    /// <summary>Strips <c>{"elem": {"val": X, ...}}</c> (elements with timeouts or counters) down to X.</summary>
    private static JsonElement Unwrap(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("elem", out var elem) && elem.ValueKind == JsonValueKind.Object && elem.TryGetProperty("val", out var val) ? val : e;

    /// <summary>One value, a range or a prefix of <paramref name="field"/> as the interval it covers.</summary>
    private static bool TryScalar(PacketField field, int? version, JsonElement e, out UInt128 lo, out UInt128 hi)
    {
        lo = hi = 0;
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                return TryRangeOrPrefix(field, version, e, out lo, out hi);
            case JsonValueKind.Number:
                return TryNumber(field, e, out lo, out hi);
            case JsonValueKind.String:
                Span<char> buffer = stackalloc char[NftJsonChars.MaxChars];
                var text = NftJsonChars.Value(e, buffer);
                var value = NamedValues.TryGetValue(field, out var read) ? read(text, version, e)
                    : FirewallValueParser.TryUInt(text, out var number) ? number : null;
                lo = hi = value ?? 0;
                return value is not null;
            default:
                return false;
        }
    }

    private static bool TryRangeOrPrefix(PacketField field, int? version, JsonElement e, out UInt128 lo, out UInt128 hi)
    {
        lo = hi = 0;
        if (e.TryGetProperty("range", out var range) && range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2)
        {
            return TryScalar(field, version, range[0], out lo, out _) && TryScalar(field, version, range[1], out _, out hi) && lo <= hi;
        }

        if (e.TryGetProperty("prefix", out var prefix) && field is PacketField.SourceAddress or PacketField.DestinationAddress
            && prefix.TryGetProperty("addr", out var addr) && prefix.TryGetProperty("len", out var len) && len.TryGetInt32(out var length)
            && addr.ValueKind == JsonValueKind.String && TryAddress(addr, version, out var a))
        {
            var bits = FirewallValueParser.VersionOf(a) == 4 ? 32 : 128;
            if (length < 0 || length > bits)
            {
                return false;
            }

            (lo, hi) = FirewallValueParser.PrefixRange(PacketState.Encode(a), length, bits);
            return true;
        }

        return false;
    }

    private static bool TryNumber(PacketField field, JsonElement e, out UInt128 lo, out UInt128 hi)
    {
        lo = hi = 0;
        if (!e.TryGetUInt64(out var n))
        {
            return false;
        }

        if (field == PacketField.IpVersion)
        {
            // meta nfproto: 2 = ipv4, 10 = ipv6; meta protocol: ethertypes.
            n = n switch
            {
                2 or 0x0800 => 4,
                10 or 0x86DD => 6,
                _ => n,
            };
        }

        lo = hi = n;
        return true;
    }

    /// <summary>Reads a value written as text (an address, a protocol or type name) for one packet field, or null.</summary>
    private delegate UInt128? NamedValueReader(ReadOnlySpan<char> text, int? version, JsonElement element);

    /// <summary>Values written as text, by field: one reader per kind; any other field takes a number.</summary>
    private static readonly FrozenDictionary<PacketField, NamedValueReader> NamedValues = new Dictionary<PacketField, NamedValueReader>
    {
        [PacketField.SourceAddress] = AddressValue,
        [PacketField.DestinationAddress] = AddressValue,
        [PacketField.L4Protocol] = static (s, _, e) => FirewallValueParser.TryProtocol(Word(e), out var proto) ? proto : null,
        [PacketField.IpVersion] = static (s, _, _) => s switch
        {
            "ipv4" or "ip" => 4,
            "ipv6" or "ip6" => 6,
            _ => null,
        },
        [PacketField.PacketType] = static (s, _, _) => s switch
        {
            "host" or "unicast" => 0,
            "broadcast" => 1,
            "multicast" => 2,
            "other" or "otherhost" => 3,
            _ => null,
        },
        [PacketField.IcmpType] = static (text, version, e) => FirewallValueParser.TryIcmpType(Word(e), version == 6, out var type, out _) ? type : null,
        [PacketField.TcpFlags] = static (_, _, e) => Flags(PacketField.TcpFlags, e) is { } bits ? bits : null,
    }.ToFrozenDictionary();

    private static UInt128? AddressValue(ReadOnlySpan<char> text, int? version, JsonElement element) =>
        FirewallValueParser.TryAddress(text, version, out var address) ? PacketState.Encode(address) : null;

    /// <summary>An address written as a JSON string, read from its characters.</summary>
    private static bool TryAddress(JsonElement e, int? version, out System.Net.IPAddress address)
    {
        Span<char> buffer = stackalloc char[NftJsonChars.MaxChars];
        return FirewallValueParser.TryAddress(NftJsonChars.Value(e, buffer), version, out address);
    }

    /// <summary>Reads one flag name of a field as its bits, or null.</summary>
    private delegate uint? FlagNameReader(string name);

    /// <summary><c>ct status</c> names, as the kernel's IPS_* bits.</summary>
    private static readonly FrozenDictionary<string, uint> ConntrackStatusBits = new Dictionary<string, uint>(StringComparer.Ordinal)
    {
        ["expected"] = 0x1,
        ["seen-reply"] = 0x2,
        ["assured"] = 0x4,
        ["confirmed"] = 0x8,
        ["snat"] = 0x10,
        ["dnat"] = 0x20,
        ["dying"] = 0x200,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary><c>tcp flags</c> names, as the header's bits.</summary>
    private static readonly FrozenDictionary<string, uint> TcpFlagBits = new Dictionary<string, uint>(StringComparer.Ordinal)
    {
        ["fin"] = 0x01,
        ["syn"] = 0x02,
        ["rst"] = 0x04,
        ["psh"] = 0x08,
        ["ack"] = 0x10,
        ["urg"] = 0x20,
        ["ecn"] = 0x40,
        ["cwr"] = 0x80,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Flag names by field: one reader per field with names; any other field (a mark) takes a number.</summary>
    private static readonly FrozenDictionary<PacketField, FlagNameReader> FlagNames = new Dictionary<PacketField, FlagNameReader>
    {
        [PacketField.ConntrackState] = static name => ConntrackStateNames.TryParse(name, out var state) ? (uint)state : null,
        [PacketField.ConntrackStatus] = static name => ConntrackStatusBits.TryGetValue(name, out var bits) ? bits : null,
        [PacketField.TcpFlags] = static name => TcpFlagBits.TryGetValue(name, out var bits) ? bits : null,
    }.ToFrozenDictionary();

    /// <summary>The bits a number, a flag name or a list of them stands for in <paramref name="field"/>; null when one is not known.</summary>
    private static uint? Flags(PacketField field, JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Number)
        {
            return e.TryGetUInt32(out var n) ? n : null;
        }

        uint bits = 0;
        foreach (var n in ElementList.Of(e))
        {
            if (Flag(field, n) is not { } bit)
            {
                return null;
            }

            bits |= bit;
        }

        return bits;
    }

    private static uint? Flag(PacketField field, JsonElement n)
    {
        if (n.ValueKind == JsonValueKind.Number && n.TryGetUInt32(out var num))
        {
            return num;
        }

        if (n.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var name = Word(n);
        return FlagNames.TryGetValue(field, out var read) ? read(name)
            : FirewallValueParser.TryUInt(name, out var value) ? value : null;
    }
}
