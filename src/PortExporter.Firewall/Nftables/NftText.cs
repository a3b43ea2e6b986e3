using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PortExporter.Firewall.Nftables;

/// <summary>
/// Renders an nft JSON rule back into (close to) nft's own syntax, for labels. Counters are left out so the text is stable.
/// Every part is written into one builder, so a rule costs its final string and nothing per statement or operand (a
/// string per part made 13.7 MB of garbage over 10k rules, a third of a refresh's; measured in bench/RESULTS.md).
/// </summary>
internal static class NftText
{
    /// <param name="exprs">The rule's <c>expr</c> array.</param>
    /// <param name="comment">The rule's comment, or null.</param>
    /// <param name="buffer">A builder to write into (cleared first), reused across the rules of a parse; null: a new one.</param>
    public static string Rule(JsonElement exprs, string? comment, StringBuilder? buffer = null)
    {
        var sb = buffer?.Clear() ?? new StringBuilder();
        foreach (var e in exprs.EnumerateArray())
        {
            var before = sb.Length;
            if (before > 0)
            {
                sb.Append(' ');
            }

            var start = sb.Length;
            Statement(sb, e);
            if (sb.Length == start)
            {
                // A statement that renders to nothing (a counter): no separator either.
                sb.Length = before;
            }
        }

        if (comment is not null)
        {
            sb.Append(" comment \"").Append(comment).Append('"');
        }

        return sb.ToString();
    }

    /// <summary>Writes one statement from its key and value.</summary>
    private delegate void StatementText(StringBuilder sb, ReadOnlySpan<char> name, JsonElement value);

    /// <summary>Statements by key, one renderer each; any other statement is its key and its compact JSON.</summary>
    private static readonly FrozenDictionary<string, StatementText> StatementTexts = new Dictionary<string, StatementText>(StringComparer.Ordinal)
    {
        ["match"] = static (sb, _, v) => MatchText(sb, v),
        ["counter"] = static (_, _, _) => { },
        ["comment"] = static (_, _, _) => { },
        ["accept"] = Keyword,
        ["drop"] = Keyword,
        ["continue"] = Keyword,
        ["return"] = Keyword,
        ["notrack"] = Keyword,
        ["jump"] = static (sb, name, v) => Str(sb.Append(name).Append(' '), v, "target"),
        ["goto"] = static (sb, name, v) => Str(sb.Append(name).Append(' '), v, "target"),
        ["reject"] = static (sb, _, v) => RejectText(sb, v),
        ["dnat"] = static (sb, name, v) => NatTarget(sb.Append(name).Append(" to "), v),
        ["snat"] = static (sb, name, v) => NatTarget(sb.Append(name).Append(" to "), v),
        ["redirect"] = static (sb, _, v) =>
        {
            sb.Append("redirect");
            if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("port", out var rp))
            {
                Write(sb.Append(" to :"), rp);
            }
        },
        ["masquerade"] = Keyword,
        ["log"] = static (sb, _, v) =>
        {
            sb.Append("log");
            if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("prefix", out JsonElement _))
            {
                Str(sb.Append(" prefix \""), v, "prefix").Append('"');
            }
        },
        ["limit"] = static (sb, _, v) =>
        {
            sb.Append("limit rate ");
            if (v.TryGetProperty("inv", out var inv) && inv.ValueKind == JsonValueKind.True)
            {
                sb.Append("over ");
            }

            Str(Num(sb, v, "rate").Append('/'), v, "per");
        },
        ["mangle"] = static (sb, _, v) =>
        {
            Operand(sb, v, "key").Append(" set ");
            Operand(sb, v, "value");
        },
        ["xt"] = static (sb, _, v) => Str(Str(sb.Append("xt "), v, "type").Append(' '), v, "name"),
        ["set"] = SetText,
        ["meter"] = SetText,
        ["vmap"] = static (sb, _, v) =>
        {
            Operand(sb, v, "key").Append(" vmap ");
            Operand(sb, v, "data");
        },
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static void Statement(StringBuilder sb, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            Compact(sb, e);
            return;
        }

        foreach (var p in e.EnumerateObject())
        {
            // The key is looked up as characters: JsonProperty.Name would make a new string for every statement.
            Span<char> buffer = stackalloc char[NftJsonChars.MaxChars];
            var name = NftJsonChars.Name(p, buffer);
            if (StatementLookup.TryGetValue(name, out var text))
            {
                text(sb, name, p.Value);
            }
            else
            {
                Other(sb, name, p.Value);
            }

            return;
        }
    }

    private static readonly FrozenDictionary<string, StatementText>.AlternateLookup<ReadOnlySpan<char>> StatementLookup =
        StatementTexts.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Appends a JSON string's value; plain ASCII straight from the document, anything else decoded.</summary>
    private static StringBuilder AppendString(StringBuilder sb, JsonElement e)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(e);
        if (raw.Length >= 2 && raw[1..^1].IndexOfAnyInRange((byte)0x80, (byte)0xFF) < 0 && !raw.Contains((byte)'\\'))
        {
            foreach (var b in raw[1..^1])
            {
                sb.Append((char)b);
            }

            return sb;
        }

        return sb.Append(e.GetString());
    }

    private static void Keyword(StringBuilder sb, ReadOnlySpan<char> name, JsonElement value) => sb.Append(name);

    private static void Other(StringBuilder sb, ReadOnlySpan<char> name, JsonElement value) => Compact(sb.Append(name).Append(' '), value);

    private static void MatchText(StringBuilder sb, JsonElement v)
    {
        var hasLeft = v.TryGetProperty("left", out var l);
        if (hasLeft)
        {
            Write(sb, l);
        }
        else
        {
            sb.Append('?');
        }

        var binary = l.ValueKind == JsonValueKind.Object && (l.TryGetProperty("&", out _) || l.TryGetProperty("|", out _));
        var hasOp = v.TryGetProperty("op", out var op);
        var isString = hasOp && op.ValueKind == JsonValueKind.String;
        if (!hasOp || (isString && op.ValueEquals("=="u8)))
        {
            if (binary)
            {
                sb.Append(" ==");
            }
        }
        else if (!(isString && op.ValueEquals("in"u8)))
        {
            Str(sb.Append(' '), v, "op");
        }

        sb.Append(' ');
        if (v.TryGetProperty("right", out var r))
        {
            Write(sb, r, quoteStrings: hasLeft && IsName(l));
        }
        else
        {
            sb.Append('?');
        }
    }

    private static void RejectText(StringBuilder sb, JsonElement v)
    {
        sb.Append("reject");
        if (v.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        sb.Append(" with ");
        if (v.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("tcp reset"u8))
        {
            sb.Append("tcp reset");
            return;
        }

        Str(sb, v, "type");
        if (v.TryGetProperty("expr", out _))
        {
            Str(sb.Append(' '), v, "expr");
        }
    }

    private static void SetText(StringBuilder sb, ReadOnlySpan<char> name, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            Other(sb, name, v);
            return;
        }

        if (v.TryGetProperty("op", out _))
        {
            Str(sb, v, "op");
        }
        else
        {
            sb.Append("add");
        }

        sb.Append(' ');
        Str(sb, v, v.TryGetProperty("set", out _) ? "set" : "name").Append(" { ");
        Operand(sb, v, "elem");
        if (v.TryGetProperty("stmt", out var st))
        {
            sb.Append(' ');
            if (st.ValueKind == JsonValueKind.Array)
            {
                var first = true;
                foreach (var s in st.EnumerateArray())
                {
                    if (!first)
                    {
                        sb.Append(' ');
                    }

                    first = false;
                    Statement(sb, s);
                }
            }
            else
            {
                Statement(sb, st);
            }
        }

        sb.Append(" }");
    }

    private static bool IsName(JsonElement left) =>
        left.ValueKind == JsonValueKind.Object && left.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object
        && m.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String
        && (key.ValueEquals("iifname"u8) || key.ValueEquals("oifname"u8) || key.ValueEquals("iif"u8) || key.ValueEquals("oif"u8));

    private static void NatTarget(StringBuilder sb, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            sb.Append('?');
            return;
        }

        var hasPort = v.TryGetProperty("port", out var p);
        var start = sb.Length;
        if (v.TryGetProperty("addr", out var a))
        {
            Write(sb, a);
        }

        if (!hasPort)
        {
            return;
        }

        if (Contains(sb, start, ':'))
        {
            sb.Insert(start, '[').Append(']');
        }

        Write(sb.Append(':'), p);
    }

    /// <summary>The expression as nft prints it.</summary>
    public static string Expr(JsonElement e, bool quoteStrings = false)
    {
        var sb = new StringBuilder();
        Write(sb, e, quoteStrings);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonElement e, bool quoteStrings = false)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                if (quoteStrings && !NftJsonChars.StartsWithAt(e))
                {
                    AppendString(sb.Append('"'), e).Append('"');
                }
                else
                {
                    AppendString(sb, e);
                }

                return;
            case JsonValueKind.Number:
                Raw(sb, e);
                return;
            case JsonValueKind.True:
                sb.Append("exists");
                return;
            case JsonValueKind.False:
                sb.Append("missing");
                return;
            case JsonValueKind.Array:
                Join(sb, e, ", ", quoteStrings);
                return;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    Span<char> buffer = stackalloc char[NftJsonChars.MaxChars];
                    ObjectExpr(sb, e, NftJsonChars.Name(p, buffer), p.Value, quoteStrings);
                    return;
                }

                sb.Append("{}");
                return;
            default:
                Compact(sb, e);
                return;
        }
    }

    /// <summary>An expression object by its (first) key.</summary>
    private static void ObjectExpr(StringBuilder sb, JsonElement e, ReadOnlySpan<char> name, JsonElement v, bool quoteStrings)
    {
        switch (name)
        {
            case "payload":
                if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("protocol", out _))
                {
                    Str(Str(sb, v, "protocol").Append(' '), v, "field");
                }
                else
                {
                    Num(Num(Str(sb.Append('@'), v, "base").Append(','), v, "offset").Append(','), v, "len");
                }

                return;
            case "meta":
                if (!IsNameKey(v))
                {
                    sb.Append("meta ");
                }

                Str(sb, v, "key");
                return;
            case "ct":
                Str(sb.Append("ct "), v, "key");
                return;
            case "numgen":
                Num(Str(sb.Append("numgen "), v, "mode").Append(" mod "), v, "mod");
                if (v.TryGetProperty("offset", out var offset) && offset.ValueKind == JsonValueKind.Number && offset.GetInt64() != 0)
                {
                    sb.Append(" offset ").Append(offset.GetInt64().ToString(CultureInfo.InvariantCulture));
                }

                return;
            case "fib":
                sb.Append("fib ");
                if (v.TryGetProperty("flags", out var f))
                {
                    var first = true;
                    foreach (var flag in f.EnumerateArray())
                    {
                        if (!first)
                        {
                            sb.Append(" . ");
                        }

                        first = false;
                        if (flag.ValueKind == JsonValueKind.String)
                        {
                            AppendString(sb, flag);
                        }
                        else
                        {
                            sb.Append(flag.GetString());
                        }
                    }
                }

                Str(sb.Append(' '), v, "result");
                return;
            case "set":
                sb.Append("{ ");
                if (v.ValueKind == JsonValueKind.Array)
                {
                    var first = true;
                    foreach (var x in v.EnumerateArray())
                    {
                        if (!first)
                        {
                            sb.Append(", ");
                        }

                        first = false;
                        SetElement(sb, x, quoteStrings);
                    }
                }
                else
                {
                    Write(sb, v, quoteStrings);
                }

                sb.Append(" }");
                return;
            case "range":
                Join(sb, v, "-", quoteStrings);
                return;
            case "prefix":
                Num(Str(sb, v, "addr").Append('/'), v, "len");
                return;
            case "concat":
                Join(sb, v, " . ", quoteStrings);
                return;
            case "&" or "|" or "^":
                Bitwise(sb, e, name, v);
                return;
            case "elem":
                if (v.TryGetProperty("val", out var val))
                {
                    Write(sb, val, quoteStrings);
                }
                else
                {
                    Compact(sb, v);
                }

                return;
            case "accept" or "drop" or "continue" or "return":
                sb.Append(name);
                return;
            case "jump" or "goto":
                Str(sb.Append(name).Append(' '), v, "target");
                return;
            default:
                sb.Append(name).Append(' ');
                if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("key", out _))
                {
                    Str(sb, v, "key");
                }
                else
                {
                    Compact(sb, v);
                }

                return;
        }
    }

    /// <summary><c>left &amp; right</c>; a right side that is a list is shown as flags joined by <c>|</c> in parentheses.</summary>
    private static void Bitwise(StringBuilder sb, JsonElement e, ReadOnlySpan<char> name, JsonElement v)
    {
        if (v.GetArrayLength() != 2)
        {
            Compact(sb, e);
            return;
        }

        Write(sb, v[0]);
        sb.Append(' ').Append(name).Append(' ');
        var start = sb.Length;
        Write(sb, v[1]);
        if (Contains(sb, start, ','))
        {
            sb.Replace(", ", " | ", start, sb.Length - start).Insert(start, '(').Append(')');
        }
    }

    private static bool IsNameKey(JsonElement meta) =>
        meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String
        && (key.ValueEquals("iifname"u8) || key.ValueEquals("oifname"u8) || key.ValueEquals("iif"u8) || key.ValueEquals("oif"u8));

    private static void Join(StringBuilder sb, JsonElement array, string separator, bool quoteStrings)
    {
        var first = true;
        foreach (var x in array.EnumerateArray())
        {
            if (!first)
            {
                sb.Append(separator);
            }

            first = false;
            Write(sb, x, quoteStrings);
        }
    }

    private static void SetElement(StringBuilder sb, JsonElement e, bool quoteStrings)
    {
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2)
        {
            Write(sb, e[0], quoteStrings);
            sb.Append(" : ");
            Write(sb, e[1]);
        }
        else
        {
            Write(sb, e, quoteStrings);
        }
    }

    /// <summary>The operand under <paramref name="name"/>, or <c>?</c>.</summary>
    private static StringBuilder Operand(StringBuilder sb, JsonElement v, string name)
    {
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var operand))
        {
            Write(sb, operand);
        }
        else
        {
            sb.Append('?');
        }

        return sb;
    }

    /// <summary>A string property as it is, any other value as its JSON; nothing when absent.</summary>
    private static StringBuilder Str(StringBuilder sb, JsonElement v, string name)
    {
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var p))
        {
            if (p.ValueKind == JsonValueKind.String)
            {
                AppendString(sb, p);
            }
            else
            {
                Raw(sb, p);
            }
        }

        return sb;
    }

    private static StringBuilder Num(StringBuilder sb, JsonElement v, string name) =>
        v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number
            ? sb.Append(p.GetInt64().ToString(CultureInfo.InvariantCulture))
            : sb.Append('?');

    private static bool Contains(StringBuilder sb, int start, char c)
    {
        for (var i = start; i < sb.Length; i++)
        {
            if (sb[i] == c)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The longest JSON an unrendered part of a rule's text shows, marker included.</summary>
    private const int MaxJsonChars = 80;

    private static void Compact(StringBuilder sb, JsonElement e) => sb.Append(Clipping.Clip(e.GetRawText(), MaxJsonChars));

    /// <summary>A value as its JSON text, decoded into the builder without a string of its own (numbers are ASCII).</summary>
    private static void Raw(StringBuilder sb, JsonElement e)
    {
        foreach (var b in System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(e))
        {
            if (b >= 0x80)
            {
                sb.Append(e.GetRawText());
                return;
            }
        }

        foreach (var b in System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(e))
        {
            sb.Append((char)b);
        }
    }
}
