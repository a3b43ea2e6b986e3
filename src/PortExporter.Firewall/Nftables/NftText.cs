using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PortExporter.Firewall.Nftables;

/// <summary>Renders an nft JSON rule back into (close to) nft's own syntax, for labels. Counters are left out so the text is stable.</summary>
internal static class NftText
{
    public static string Rule(JsonElement exprs, string? comment)
    {
        var sb = new StringBuilder();
        foreach (var e in exprs.EnumerateArray())
        {
            var part = Statement(e);
            if (part.Length == 0)
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(part);
        }

        if (comment is not null)
        {
            sb.Append(" comment \"").Append(comment).Append('"');
        }

        return sb.ToString();
    }

    /// <summary>Renders one statement from its key and value.</summary>
    private delegate string StatementText(string name, JsonElement value);

    /// <summary>Statements by key, one renderer each; any other statement is its key and its compact JSON.</summary>
    private static readonly FrozenDictionary<string, StatementText> StatementTexts = new Dictionary<string, StatementText>(StringComparer.Ordinal)
    {
        ["match"] = static (_, v) => MatchText(v),
        ["counter"] = static (_, _) => string.Empty,
        ["comment"] = static (_, _) => string.Empty,
        ["accept"] = Keyword,
        ["drop"] = Keyword,
        ["continue"] = Keyword,
        ["return"] = Keyword,
        ["notrack"] = Keyword,
        ["jump"] = static (name, v) => $"{name} {Str(v, "target")}",
        ["goto"] = static (name, v) => $"{name} {Str(v, "target")}",
        ["reject"] = static (_, v) => RejectText(v),
        ["dnat"] = static (name, v) => $"{name} to {NatTarget(v)}",
        ["snat"] = static (name, v) => $"{name} to {NatTarget(v)}",
        ["redirect"] = static (_, v) => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("port", out var rp) ? $"redirect to :{Expr(rp)}" : "redirect",
        ["masquerade"] = Keyword,
        ["log"] = static (_, v) => v.ValueKind == JsonValueKind.Object && Str(v, "prefix") is { } prefix ? $"log prefix \"{prefix}\"" : "log",
        ["limit"] = static (_, v) => $"limit rate {(v.TryGetProperty("inv", out var inv) && inv.ValueKind == JsonValueKind.True ? "over " : string.Empty)}{Num(v, "rate")}/{Str(v, "per")}",
        ["mangle"] = static (_, v) => $"{(v.TryGetProperty("key", out var k) ? Expr(k) : "?")} set {(v.TryGetProperty("value", out var mv) ? Expr(mv) : "?")}",
        ["xt"] = static (_, v) => $"xt {Str(v, "type")} {Str(v, "name")}",
        ["set"] = SetText,
        ["meter"] = SetText,
        ["vmap"] = static (_, v) => $"{(v.TryGetProperty("key", out var vk) ? Expr(vk) : "?")} vmap {(v.TryGetProperty("data", out var vd) ? Expr(vd) : "?")}",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static string Statement(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return Compact(e);
        }

        foreach (var p in e.EnumerateObject())
        {
            // JsonProperty.Name makes a new string on every call: once.
            var name = p.Name;
            return StatementTexts.TryGetValue(name, out var text) ? text(name, p.Value) : Other(name, p.Value);
        }

        return string.Empty;
    }

    private static string Keyword(string name, JsonElement value) => name;

    private static string Other(string name, JsonElement value) => $"{name} {Compact(value)}";

    private static string MatchText(JsonElement v)
    {
        var op = Str(v, "op") ?? "==";
        var left = v.TryGetProperty("left", out var l) ? Expr(l) : "?";
        var right = v.TryGetProperty("right", out var r) ? Expr(r, quoteStrings: IsName(l)) : "?";
        var binary = l.ValueKind == JsonValueKind.Object && (l.TryGetProperty("&", out _) || l.TryGetProperty("|", out _));
        return op is "in" || (op == "==" && !binary) ? $"{left} {right}" : $"{left} {op} {right}";
    }

    private static string RejectText(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            return "reject";
        }

        var type = Str(v, "type");
        var what = Str(v, "expr");
        return type == "tcp reset" ? "reject with tcp reset" : what is null ? $"reject with {type}" : $"reject with {type} {what}";
    }

    private static string SetText(string name, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            return Other(name, v);
        }

        var element = v.TryGetProperty("elem", out var el) ? Expr(el) : "?";
        var nested = v.TryGetProperty("stmt", out var st) ? " " + string.Join(' ', (st.ValueKind == JsonValueKind.Array ? st.EnumerateArray().ToList() : [st]).Select(Statement)) : string.Empty;
        return $"{Str(v, "op") ?? "add"} {Str(v, "set") ?? Str(v, "name")} {{ {element}{nested} }}";
    }

    private static bool IsName(JsonElement left) =>
        left.ValueKind == JsonValueKind.Object && left.TryGetProperty("meta", out var m) && Str(m, "key") is "iifname" or "oifname" or "iif" or "oif";

    private static string NatTarget(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            return "?";
        }

        var addr = v.TryGetProperty("addr", out var a) ? Expr(a) : string.Empty;
        var port = v.TryGetProperty("port", out var p) ? ":" + Expr(p) : string.Empty;
        return addr.Contains(':', StringComparison.Ordinal) && port.Length > 0 ? $"[{addr}]{port}" : addr + port;
    }

    public static string Expr(JsonElement e, bool quoteStrings = false)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                var s = e.GetString()!;
                return quoteStrings && !s.StartsWith('@') ? $"\"{s}\"" : s;
            case JsonValueKind.Number:
                return e.GetRawText();
            case JsonValueKind.True:
                return "exists";
            case JsonValueKind.False:
                return "missing";
            case JsonValueKind.Array:
                return string.Join(", ", e.EnumerateArray().Select(x => Expr(x, quoteStrings)));
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    var v = p.Value;
                    var name = p.Name;
                    switch (name)
                    {
                        case "payload":
                            return Str(v, "protocol") is { } proto ? $"{proto} {Str(v, "field")}" : $"@{Str(v, "base")},{Num(v, "offset")},{Num(v, "len")}";
                        case "meta":
                            var key = Str(v, "key");
                            return key is "iifname" or "oifname" or "iif" or "oif" ? key : $"meta {key}";
                        case "ct":
                            return $"ct {Str(v, "key")}";
                        case "numgen":
                            return $"numgen {Str(v, "mode")} mod {Num(v, "mod")}{(v.TryGetProperty("offset", out var o) && o.ValueKind == JsonValueKind.Number && o.GetInt64() != 0 ? $" offset {o.GetInt64().ToString(CultureInfo.InvariantCulture)}" : string.Empty)}";
                        case "fib":
                            var flags = v.TryGetProperty("flags", out var f) ? string.Join(" . ", f.EnumerateArray().Select(x => x.GetString())) : string.Empty;
                            return $"fib {flags} {Str(v, "result")}";
                        case "set":
                            return "{ " + (v.ValueKind == JsonValueKind.Array ? string.Join(", ", v.EnumerateArray().Select(x => SetElement(x, quoteStrings))) : Expr(v, quoteStrings)) + " }";
                        case "range":
                            var items = v.EnumerateArray().Select(x => Expr(x, quoteStrings)).ToArray();
                            return string.Join('-', items);
                        case "prefix":
                            return $"{Str(v, "addr")}/{Num(v, "len")}";
                        case "concat":
                            return string.Join(" . ", v.EnumerateArray().Select(x => Expr(x, quoteStrings)));
                        case "&" or "|" or "^":
                            var parts = v.EnumerateArray().Select(x => Expr(x)).ToArray();
                            return parts.Length == 2 ? $"{parts[0]} {name} {(parts[1].Contains(',', StringComparison.Ordinal) ? $"({parts[1].Replace(", ", " | ", StringComparison.Ordinal)})" : parts[1])}" : Compact(e);
                        case "elem":
                            return v.TryGetProperty("val", out var val) ? Expr(val, quoteStrings) : Compact(v);
                        case "accept" or "drop" or "continue" or "return":
                            return name;
                        case "jump" or "goto":
                            return $"{name} {Str(v, "target")}";
                        default:
                            return v.ValueKind == JsonValueKind.Object && Str(v, "key") is { } otherKey ? $"{name} {otherKey}" : $"{name} {Compact(v)}";
                    }
                }

                return "{}";
            default:
                return Compact(e);
        }
    }

    private static string SetElement(JsonElement e, bool quoteStrings) =>
        e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2
            ? $"{Expr(e[0], quoteStrings)} : {Expr(e[1])}"
            : Expr(e, quoteStrings);

    private static string? Str(JsonElement v, string name) =>
        v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var p) ? p.ValueKind == JsonValueKind.String ? p.GetString() : p.GetRawText() : null;

    private static string Num(JsonElement v, string name) =>
        v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number
            ? p.GetInt64().ToString(CultureInfo.InvariantCulture)
            : "?";

    /// <summary>The longest JSON an unrendered part of a rule's text shows, marker included.</summary>
    private const int MaxJsonChars = 80;

    private static string Compact(JsonElement e) => Clipping.Clip(e.GetRawText(), MaxJsonChars);
}
