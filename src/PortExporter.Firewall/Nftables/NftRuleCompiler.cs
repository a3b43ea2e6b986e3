using System.Collections.Frozen;
using System.Net;
using System.Text.Json;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

/// <summary>
/// Compiles the <c>expr</c> array of one nft JSON rule into matches, side effects and an action. Whatever it
/// does not understand becomes an <see cref="UnknownMatch"/> or an unknown action, never a guess. Protocol
/// dependencies nft leaves implicit (<c>tcp dport</c> means "TCP and dport", <c>ip saddr</c> in an inet table
/// means "IPv4 and saddr") are made explicit matches.
/// </summary>
internal sealed partial class NftRuleCompiler
{
    private readonly RuleInterner? _interner;
    private readonly List<RuleMatch> _matches = [];
    private TableFamily _family;
    private IReadOnlyDictionary<string, NftSetDefinition> _sets = FrozenDictionary<string, NftSetDefinition>.Empty;

    /// <param name="interner">
    /// Shares equal matches and actions with the other rules of the same parse; one per parse. Without it each rule
    /// keeps its own (the implicit protocol dependencies are shared anyway).
    /// </param>
    public NftRuleCompiler(RuleInterner? interner = null) => _interner = interner;

    public RuleAction Action { get; private set; } = RuleAction.Continue;

    public long? Packets { get; private set; }

    public long? Bytes { get; private set; }

    public bool SetsNotrack { get; private set; }

    public MarkChange? Mark { get; private set; }

    public bool HasXt { get; private set; }

    /// <summary>The matches of the rule compiled last (the compiler's own list: read them before the next rule).</summary>
    public IReadOnlyList<RuleMatch> Matches => _matches;

    /// <param name="exprs">The rule's <c>expr</c> array.</param>
    /// <param name="family">The family of the rule's table.</param>
    /// <param name="sets">The named sets and maps of the rule's table.</param>
    /// <param name="interner">Shares equal matches and actions with the other rules of the same parse; one per parse.</param>
    public static NftRuleCompiler Compile(JsonElement exprs, TableFamily family, IReadOnlyDictionary<string, NftSetDefinition> sets, RuleInterner? interner = null)
    {
        var compiler = new NftRuleCompiler(interner);
        compiler.Rule(exprs, family, sets);
        return compiler;
    }

    /// <summary>
    /// Compiles one rule into this compiler's properties, replacing the last rule's. One compiler serves every rule
    /// of a parse, so a rule costs what it keeps and not a compiler and a list of its own.
    /// </summary>
    /// <param name="exprs">The rule's <c>expr</c> array.</param>
    /// <param name="family">The family of the rule's table.</param>
    /// <param name="sets">The named sets and maps of the rule's table.</param>
    public void Rule(JsonElement exprs, TableFamily family, IReadOnlyDictionary<string, NftSetDefinition> sets)
    {
        _family = family;
        _sets = sets;
        _matches.Clear();
        _randomRange = null;
        Action = RuleAction.Continue;
        Packets = null;
        Bytes = null;
        SetsNotrack = false;
        Mark = null;
        HasXt = false;
        foreach (var e in exprs.EnumerateArray())
        {
            if (Action.Kind != RuleActionKind.Continue)
            {
                break;
            }

            Statement(e);
        }

        if (_interner is not null)
        {
            _interner.Matches(_matches);
            Action = _interner.Action(Action);
            Mark = _interner.Mark(Mark);
        }
    }

    /// <summary>What one statement does to the rule being compiled.</summary>
    private delegate void StatementHandler(NftRuleCompiler rule, string name, JsonElement value);

    /// <summary>
    /// The statements of a rule's <c>expr</c> array, by key: one small handler per family (matches, verdicts, NAT,
    /// rate limits, conntrack and marks, sets, xt). A statement missing here is an unknown match naming it.
    /// </summary>
    private static readonly FrozenDictionary<string, StatementHandler> Statements = new Dictionary<string, StatementHandler>(StringComparer.Ordinal)
    {
        ["match"] = static (r, _, v) => r.Match(v),
        ["counter"] = static (r, _, v) => r.Counter(v),
        ["accept"] = static (r, _, _) => r.Action = RuleAction.Accept,
        ["drop"] = static (r, _, _) => r.Action = RuleAction.Drop,
        ["return"] = static (r, _, _) => r.Action = RuleAction.Return,
        ["continue"] = Ignore,
        ["jump"] = static (r, name, v) => r.Action = JumpOrGoto(name, v),
        ["goto"] = static (r, name, v) => r.Action = JumpOrGoto(name, v),
        ["reject"] = static (r, _, v) => r.Action = RuleAction.Reject(RejectType(v)),
        ["dnat"] = static (r, _, v) => r.Action = Dnat(v),
        ["redirect"] = static (r, _, v) => r.Action = Redirect(v),
        ["snat"] = SourceNat,
        ["masquerade"] = SourceNat,
        ["vmap"] = static (r, _, v) => r.Action = r.VerdictMapAction(v),
        ["limit"] = static (r, _, v) => r._matches.Add(new RateLimitMatch(v.ValueKind == JsonValueKind.Object && v.TryGetProperty("inv", out var inv) && inv.ValueKind == JsonValueKind.True)),
        ["notrack"] = static (r, _, _) => r.SetsNotrack = true,
        ["mangle"] = static (r, _, v) => r.Mangle(v),
        ["set"] = static (r, _, v) => r.SetStatement(v),
        ["meter"] = static (r, _, v) => r.SetStatement(v),
        ["xt"] = static (r, _, v) => r.Xt(v),

        // Statements that change neither the verdict nor the packet's path through the filter.
        ["log"] = Ignore,
        ["dup"] = Ignore,
        ["flow"] = Ignore,
        ["last"] = Ignore,
        ["secmark"] = Ignore,
        ["ct helper"] = Ignore,
        ["ct timeout"] = Ignore,
        ["ct expectation"] = Ignore,

        // Statements that hand the packet elsewhere: what happens to it is not in the ruleset.
        ["queue"] = ElsewhereAction,
        ["fwd"] = ElsewhereAction,
        ["tproxy"] = ElsewhereAction,
        ["synproxy"] = ElsewhereAction,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static void Ignore(NftRuleCompiler rule, string name, JsonElement value)
    {
    }

    private static void SourceNat(NftRuleCompiler rule, string name, JsonElement value) => rule.Action = new RuleAction(RuleActionKind.SourceNat);

    private static void ElsewhereAction(NftRuleCompiler rule, string name, JsonElement value) => rule.Action = RuleAction.Unknown($"{name} statement");

    private static RuleAction JumpOrGoto(string name, JsonElement v)
    {
        var target = v.ValueKind == JsonValueKind.Object && v.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return target is null ? RuleAction.Unknown($"{name} without target")
            : name == "jump" ? RuleAction.Jump(target) : RuleAction.Goto(target);
    }

    private void Counter(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Object)
        {
            Packets = Long(v, "packets");
            Bytes = Long(v, "bytes");
        }
    }

    private void Statement(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            _matches.Add(new UnknownMatch($"expression {e.GetRawText()}"));
            return;
        }

        Span<char> buffer = stackalloc char[NftJsonChars.MaxChars];
        foreach (var p in e.EnumerateObject())
        {
            // The key is looked up as characters (JsonProperty.Name makes a new string on every call); every key of
            // the table is a known word.
            var chars = NftJsonChars.Name(p, buffer);
            if (Words.Known.TryGetValue(chars, out var name) && Statements.TryGetValue(name, out var handler))
            {
                handler(this, name, p.Value);
            }
            else
            {
                _matches.Add(new UnknownMatch($"statement {chars}"));
            }
        }
    }

    private void Xt(JsonElement v)
    {
        HasXt = true;
        var type = v.ValueKind == JsonValueKind.Object && v.TryGetProperty("type", out var t) ? t.GetString() : null;
        var name = v.ValueKind == JsonValueKind.Object && v.TryGetProperty("name", out var n) ? n.GetString() : "?";
        switch (type)
        {
            case "target" when name is "LOG" or "NFLOG" or "ULOG" or "TRACE" or "AUDIT" or "TCPMSS" or "DSCP" or "TOS" or "CLASSIFY" or "CHECKSUM":
                break;
            case "target" when name is "MARK" or "CONNMARK":
                Mark = MarkChange.Unknowable;
                break;
            case "target":
                Action = RuleAction.Unknown($"xt target {name}");
                break;
            case "watcher":
                break;
            default:
                _matches.Add(new UnknownMatch($"xt match {name}"));
                break;
        }
    }

    private void SetStatement(JsonElement v)
    {
        // `add @meter { ip saddr limit rate over 3/minute }`: nested statements act as a match on the element.
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("stmt", out var stmts))
        {
            var over = false;
            foreach (var s in ElementList.Of(stmts))
            {
                if (s.ValueKind == JsonValueKind.Object && s.TryGetProperty("limit", out var lim))
                {
                    over |= lim.ValueKind == JsonValueKind.Object && lim.TryGetProperty("inv", out var inv) && inv.ValueKind == JsonValueKind.True;
                }
                else if (!(s.ValueKind == JsonValueKind.Object && s.TryGetProperty("counter", out _)))
                {
                    _matches.Add(new UnknownMatch("set statement with a nested statement"));
                    return;
                }
            }

            // A new element starts with a full bucket.
            _matches.Add(new RateLimitMatch(over));
        }
    }

    private void Mangle(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty("key", out var key) || !v.TryGetProperty("value", out var value))
        {
            return;
        }

        if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("meta", out var meta) && Str(meta, "key") == "mark")
        {
            Mark = value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var m) ? new MarkChange(m, uint.MaxValue) : MarkChange.Unknowable;
        }
    }

    private static string? RejectType(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var type = Str(v, "type");
        var expr = Str(v, "expr");
        return type == "tcp reset" ? "tcp reset" : expr is null ? type : $"{type} {expr}";
    }

    private static RuleAction Dnat(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            return RuleAction.Unknown("dnat without target");
        }

        IPAddress? address = null;
        if (v.TryGetProperty("addr", out var a))
        {
            var first = a.ValueKind == JsonValueKind.Object && a.TryGetProperty("range", out var range) ? range[0] : a;
            if (first.ValueKind != JsonValueKind.String || !IPAddress.TryParse(first.GetString(), out address))
            {
                return RuleAction.Unknown($"dnat to {NftText.Expr(a)}");
            }
        }

        int? port = null;
        if (v.TryGetProperty("port", out var p))
        {
            var first = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("range", out var range) ? range[0] : p;
            if (first.ValueKind != JsonValueKind.Number || !first.TryGetInt32(out var number))
            {
                return RuleAction.Unknown($"dnat to port {NftText.Expr(p)}");
            }

            port = number;
        }

        var text = address is null ? $":{port}" : port is null ? address.ToString() : $"{address}:{port}";
        return new RuleAction(RuleActionKind.DestinationNat, Detail: $"dnat to {text}") { NatAddress = address, NatPort = port };
    }

    private static RuleAction Redirect(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty("port", out var p))
        {
            return new RuleAction(RuleActionKind.Redirect, Detail: "redirect");
        }

        var first = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("range", out var range) ? range[0] : p;
        return first.ValueKind == JsonValueKind.Number && first.TryGetInt32(out var port)
            ? new RuleAction(RuleActionKind.Redirect, Detail: $"redirect to :{port}") { NatPort = port }
            : RuleAction.Unknown($"redirect to {NftText.Expr(p)}");
    }

    private RuleAction VerdictMapAction(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty("key", out var key) || !v.TryGetProperty("data", out var data))
        {
            return RuleAction.Unknown("vmap without key or data");
        }

        var keys = new List<PacketField>();
        var versions = new List<int?>();
        if (VerdictMapKey(key, keys, versions) is { } unknownKey)
        {
            return unknownKey;
        }

        if (VerdictMapElements(data, out var elements) is { } unknownData)
        {
            return unknownData;
        }

        var entries = new List<VerdictMapEntry>();
        foreach (var element in ElementList.Of(elements))
        {
            if (VerdictMapElement(element, keys, versions, out var entry) is { } unknownElement)
            {
                return unknownElement;
            }

            entries.Add(entry!);
        }

        return new RuleAction(RuleActionKind.VerdictMap) { Map = new VerdictMap(keys, entries) { RandomRange = keys.Contains(PacketField.RandomNumber) ? _randomRange : null } };
    }

    /// <summary>Reads a vmap's key into its fields and versions, with the matches they imply; an unknown action when a part is not a known field.</summary>
    private RuleAction? VerdictMapKey(JsonElement key, List<PacketField> keys, List<int?> versions)
    {
        foreach (var component in ElementList.Components(key))
        {
            var left = Left(component);
            if (left.Field is not { } field)
            {
                return RuleAction.Unknown($"vmap on {NftText.Expr(key)} ({left.Unknown})");
            }

            keys.Add(field);
            versions.Add(left.Version);
        }

        return null;
    }

    /// <summary>The elements of a vmap's data: a named map or an anonymous one; an unknown action otherwise.</summary>
    private RuleAction? VerdictMapElements(JsonElement data, out JsonElement elements)
    {
        elements = default;
        if (data.ValueKind == JsonValueKind.String && data.GetString()!.StartsWith('@'))
        {
            if (!_sets.TryGetValue(data.GetString()![1..], out var map) || !map.IsMap)
            {
                return RuleAction.Unknown($"vmap {data.GetString()} not found");
            }

            elements = map.Elements;
            return null;
        }

        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("set", out var set))
        {
            elements = set;
            return null;
        }

        return RuleAction.Unknown($"vmap data {NftText.Expr(data)}");
    }

    /// <summary>One <c>[key, verdict]</c> element of a vmap; an unknown action when its key does not fit or cannot be read.</summary>
    private RuleAction? VerdictMapElement(JsonElement element, List<PacketField> keys, List<int?> versions, out VerdictMapEntry? entry)
    {
        entry = null;
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
        {
            return RuleAction.Unknown("vmap element is not [key, verdict]");
        }

        var keyParts = ElementList.Components(Unwrap(element[0]));
        if (keyParts.Count != keys.Count)
        {
            return RuleAction.Unknown("vmap element key does not fit the key");
        }

        var values = new FieldValues[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            var fv = Values(keys[i], versions[i], keyParts[i], out var why);
            if (fv is null)
            {
                return RuleAction.Unknown($"vmap element {NftText.Expr(element[0])}: {why}");
            }

            values[i] = fv;
        }

        entry = new VerdictMapEntry(values, Verdict(element[1]));
        return null;
    }

    private static RuleAction Verdict(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in v.EnumerateObject())
            {
                var target = p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("target", out var t) ? t.GetString() : null;
                return p.Name switch
                {
                    "accept" => RuleAction.Accept,
                    "drop" => RuleAction.Drop,
                    "return" => RuleAction.Return,
                    "continue" => RuleAction.Continue,
                    "jump" when target is not null => RuleAction.Jump(target),
                    "goto" when target is not null => RuleAction.Goto(target),
                    _ => RuleAction.Unknown($"verdict {p.Name}"),
                };
            }
        }

        return RuleAction.Unknown($"verdict {v.GetRawText()}");
    }

    private static string? Str(JsonElement v, string name) =>
        v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? Word(p) : null;

    private static long? Long(JsonElement v, string name) =>
        v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n) ? n : null;
}
