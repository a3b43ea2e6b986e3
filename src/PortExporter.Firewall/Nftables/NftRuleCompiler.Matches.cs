using System.Text.Json;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

// The `match` statement: concatenations, bitwise tests, fib lookups, ct direction and one packet field compared with values.
internal sealed partial class NftRuleCompiler
{
    /// <summary>
    /// Compiles a left-hand side that is not a packet field, with the right-hand side and the operator; false when
    /// the expression is a plain field after all (<c>ct KEY</c> other than <c>direction</c>).
    /// </summary>
    private delegate bool LeftFormHandler(NftRuleCompiler rule, JsonElement left, JsonElement value, JsonElement right, string op);

    /// <summary>The left-hand sides that are not a single packet field, in the order they are looked for.</summary>
    private static readonly (string Key, LeftFormHandler Compile)[] LeftForms =
    [
        ("concat", static (r, left, _, right, op) => r.ConcatMatch(left, right, op)),
        ("&", static (r, _, and, right, op) => r.MaskedMatch(and, right, op)),
        ("fib", static (r, _, fib, right, op) => r.FibMatch(fib, right, op)),
        ("ct", static (r, _, ct, right, op) => Str(ct, "key") == "direction" && r.DirectionMatch(right, op)),
        ("socket", static (r, _, socket, right, op) => r.SocketMatch(socket, right, op)),
    ];

    private void Match(JsonElement m)
    {
        if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("left", out var left) || !m.TryGetProperty("right", out var right))
        {
            _matches.Add(new UnknownMatch("match without left/right"));
            return;
        }

        var op = Str(m, "op") ?? "==";
        if (left.ValueKind == JsonValueKind.Object)
        {
            foreach (var (key, compile) in LeftForms)
            {
                if (left.TryGetProperty(key, out var value) && compile(this, left, value, right, op))
                {
                    return;
                }
            }
        }

        var l = Left(left);
        _matches.Add(l.Field is { } field ? FieldComparison(field, l.Version, left, right, op) : new UnknownMatch($"{NftText.Expr(left)} ({l.Unknown})"));
    }

    /// <summary>A packet field compared with a right-hand side: bits, an order, or values.</summary>
    private RuleMatch FieldComparison(PacketField field, int? version, JsonElement left, JsonElement right, string op) =>
        field == PacketField.ConntrackStatus ? StatusMatch(right, op)
        : field == PacketField.TcpFlags && op == "in" ? TcpFlagsAnyMatch(right)
        : op is "<" or ">" or "<=" or ">=" ? OrderMatch(field, version, left, right, op)
        : ValuesMatch(field, version, left, right, op);

    /// <summary><c>ct direction</c>: a new connection's first packet travels in the original direction.</summary>
    private bool DirectionMatch(JsonElement right, string op)
    {
        var original = false;
        foreach (var x in ElementList.Of(right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out var s) ? s : right))
        {
            original |= x.ValueKind == JsonValueKind.String && x.ValueEquals("original"u8);
        }

        _matches.Add(new ConstantMatch(MatchResults.Of(original).Negate(op == "!=")));
        return true;
    }

    private static RuleMatch StatusMatch(JsonElement right, string op)
    {
        if (Flags(PacketField.ConntrackStatus, right) is not { } statusBits)
        {
            return new UnknownMatch($"ct status {NftText.Expr(right)}");
        }

        var comparison = op switch
        {
            "in" => MaskedComparison.AnyBit,
            "!=" => MaskedComparison.NotEqual,
            _ => MaskedComparison.Equal,
        };
        return new MaskedMatch(PacketField.ConntrackStatus, uint.MaxValue, statusBits, comparison);
    }

    private static RuleMatch TcpFlagsAnyMatch(JsonElement right) =>
        Flags(PacketField.TcpFlags, right) is { } bits
            ? new MaskedMatch(PacketField.TcpFlags, 0xFF, bits, MaskedComparison.AnyBit)
            : new UnknownMatch($"tcp flags {NftText.Expr(right)}");

    /// <summary><c>&lt;</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&gt;=</c>: the values on that side of a scalar, up to the field's largest.</summary>
    private static RuleMatch OrderMatch(PacketField field, int? version, JsonElement left, JsonElement right, string op)
    {
        if (!TryScalar(field, version, right, out var lo, out var hi))
        {
            return new UnknownMatch($"{NftText.Expr(left)} {op} {NftText.Expr(right)}");
        }

        var max = field is PacketField.SourceAddress or PacketField.DestinationAddress ? (version == 4 ? (UInt128)uint.MaxValue : UInt128.MaxValue) : (UInt128)uint.MaxValue;
        var range = op switch
        {
            "<" => lo == 0 ? IntervalSet.Empty : IntervalSet.Range(0, lo - 1),
            "<=" => IntervalSet.Range(0, hi),
            ">" => hi == max ? IntervalSet.Empty : IntervalSet.Range(hi + 1, max),
            _ => IntervalSet.Range(lo, max),
        };
        return new FieldMatch(field, new NumericValues(range, version));
    }

    private RuleMatch ValuesMatch(PacketField field, int? version, JsonElement left, JsonElement right, string op)
    {
        var fv = Values(field, version, right, out var why);
        return fv is null ? new UnknownMatch($"{NftText.Expr(left)} {NftText.Expr(right)} ({why})") : new FieldMatch(field, fv, op == "!=");
    }

    private bool ConcatMatch(JsonElement left, JsonElement right, string op)
    {
        var fields = new List<PacketField>();
        var versions = new List<int?>();
        foreach (var component in ElementList.Components(left))
        {
            var l = Left(component);
            if (l.Field is not { } f)
            {
                _matches.Add(new UnknownMatch($"{NftText.Expr(left)} ({l.Unknown})"));
                return true;
            }

            fields.Add(f);
            versions.Add(l.Version);
        }

        var elements = new List<FieldValues[]>();
        var members = SetElements(right, out var why) ?? default;
        foreach (var element in members)
        {
            var parts = ElementList.Components(Unwrap(element));
            if (parts.Count != fields.Count)
            {
                why = "element does not fit the concatenation";
                break;
            }

            var values = new FieldValues[fields.Count];
            for (var i = 0; i < fields.Count && why is null; i++)
            {
                values[i] = Values(fields[i], versions[i], parts[i], out why)!;
            }

            if (why is not null)
            {
                break;
            }

            elements.Add(values);
        }

        _matches.Add(why is null ? new ConcatMatch(fields, elements, op == "!=") : new UnknownMatch($"{NftText.Expr(left)} {NftText.Expr(right)} ({why})"));
        return true;
    }

    private bool MaskedMatch(JsonElement and, JsonElement right, string op)
    {
        if (and.ValueKind != JsonValueKind.Array || and.GetArrayLength() != 2)
        {
            _matches.Add(new UnknownMatch($"bitwise {and.GetRawText()}"));
            return true;
        }

        var l = Left(and[0]);
        if (l.Field is not ({ } field and (PacketField.TcpFlags or PacketField.Mark or PacketField.ConntrackState or PacketField.ConntrackStatus)) || Flags(field, and[1]) is not { } mask || Flags(field, right) is not { } value)
        {
            _matches.Add(new UnknownMatch($"{NftText.Expr(and[0])} & {NftText.Expr(and[1])} {NftText.Expr(right)}"));
            return true;
        }

        _matches.Add(new MaskedMatch(field, mask, value, op == "!=" ? MaskedComparison.NotEqual : MaskedComparison.Equal));
        return true;
    }

    private bool FibMatch(JsonElement fib, JsonElement right, string op)
    {
        var result = Str(fib, "result");
        var flags = fib.TryGetProperty("flags", out var f) && f.ValueKind == JsonValueKind.Array ? f.EnumerateArray().Select(x => x.GetString()).ToList() : [];
        var negate = op == "!=";
        if (result == "type" && !flags.Contains("iif") && !flags.Contains("oif") && (flags.Contains("daddr") ^ flags.Contains("saddr")))
        {
            var names = right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out var s) ? s.EnumerateArray().ToList() : [right];
            var types = AddressTypes.None;
            foreach (var n in names)
            {
                types |= n.GetString() switch
                {
                    "local" => AddressTypes.Local,
                    "unicast" => AddressTypes.Unicast,
                    "broadcast" => AddressTypes.Broadcast,
                    "multicast" => AddressTypes.Multicast,
                    _ => AddressTypes.Other,
                };
            }

            _matches.Add(new AddressTypeMatch(flags.Contains("saddr"), types, negate));
            return true;
        }

        // Reverse-path check (`fib saddr . iif oif missing drop`, `fib saddr oif exists`): whether the route back to the
        // source leaves by the interface the packet came in on (with iif), or exists at all.
        if (result is "oif" or "oifname" && flags.Contains("saddr") && (right.ValueKind == JsonValueKind.False || right.ValueKind == JsonValueKind.True
            || (right.ValueKind == JsonValueKind.String && right.GetString() is "0" or "") || (right.ValueKind == JsonValueKind.Number && right.GetRawText() == "0")))
        {
            _matches.Add(new ReversePathMatch(flags.Contains("iif"), right.ValueKind == JsonValueKind.True, negate));
            return true;
        }

        _matches.Add(new UnknownMatch($"fib {string.Join(" . ", flags)} {result} {NftText.Expr(right)}"));
        return true;
    }
}
