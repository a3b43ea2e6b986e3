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
internal sealed class NftRuleCompiler
{
    private readonly TableFamily _family;
    private readonly IReadOnlyDictionary<string, NftSetDefinition> _sets;
    private readonly List<RuleMatch> _matches = [];

    private NftRuleCompiler(TableFamily family, IReadOnlyDictionary<string, NftSetDefinition> sets)
    {
        _family = family;
        _sets = sets;
    }

    public RuleAction Action { get; private set; } = RuleAction.Continue;

    public long? Packets { get; private set; }

    public long? Bytes { get; private set; }

    public bool SetsNotrack { get; private set; }

    public MarkChange? Mark { get; private set; }

    public bool HasXt { get; private set; }

    public IReadOnlyList<RuleMatch> Matches => _matches;

    /// <param name="exprs">The rule's <c>expr</c> array.</param>
    /// <param name="family">The family of the rule's table.</param>
    /// <param name="sets">The named sets and maps of the rule's table.</param>
    /// <param name="interner">
    /// Shares equal matches and actions with the other rules of the same parse; one per parse. Without it each rule
    /// keeps its own (the implicit protocol dependencies are shared anyway).
    /// </param>
    public static NftRuleCompiler Compile(JsonElement exprs, TableFamily family, IReadOnlyDictionary<string, NftSetDefinition> sets, RuleInterner? interner = null)
    {
        var compiler = new NftRuleCompiler(family, sets);
        foreach (var e in exprs.EnumerateArray())
        {
            if (compiler.Action.Kind != RuleActionKind.Continue)
            {
                break;
            }

            compiler.Statement(e);
        }

        if (interner is not null)
        {
            interner.Matches(compiler._matches);
            compiler.Action = interner.Action(compiler.Action);
            compiler.Mark = interner.Mark(compiler.Mark);
        }

        return compiler;
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

        foreach (var p in e.EnumerateObject())
        {
            if (Statements.TryGetValue(p.Name, out var handler))
            {
                handler(this, p.Name, p.Value);
            }
            else
            {
                _matches.Add(new UnknownMatch($"statement {p.Name}"));
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
            var nested = stmts.ValueKind == JsonValueKind.Array ? stmts.EnumerateArray().ToList() : [stmts];
            var over = false;
            foreach (var s in nested)
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
        foreach (var element in Each(elements))
        {
            if (VerdictMapElement(element, keys, versions, out var entry) is { } unknownElement)
            {
                return unknownElement;
            }

            entries.Add(entry!);
        }

        return new RuleAction(RuleActionKind.VerdictMap) { Map = new VerdictMap(keys, entries) };
    }

    /// <summary>Reads a vmap's key into its fields and versions, with the matches they imply; an unknown action when a part is not a known field.</summary>
    private RuleAction? VerdictMapKey(JsonElement key, List<PacketField> keys, List<int?> versions)
    {
        foreach (var component in Components(key))
        {
            var left = Left(component);
            _matches.AddRange(left.Dependencies);
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

        var keyParts = Components(Unwrap(element[0]));
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
        _matches.AddRange(l.Dependencies);
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
        var values = right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out var s) ? s.EnumerateArray().Select(x => x.GetString()).ToList() : [right.GetString()];
        _matches.Add(new ConstantMatch(MatchResults.Of(values.Contains("original")).Negate(op == "!=")));
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
        foreach (var component in Components(left))
        {
            var l = Left(component);
            _matches.AddRange(l.Dependencies);
            if (l.Field is not { } f)
            {
                _matches.Add(new UnknownMatch($"{NftText.Expr(left)} ({l.Unknown})"));
                return true;
            }

            fields.Add(f);
            versions.Add(l.Version);
        }

        var elements = new List<FieldValues[]>();
        var members = SetElements(right, out var why) ?? [];
        foreach (var element in members)
        {
            var parts = Components(Unwrap(element));
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
        _matches.AddRange(l.Dependencies);
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

        // Reverse-path check (`fib saddr . iif oif missing drop`): the simulated packet arrives on the interface
        // its source routes back through, so the lookup finds an output interface.
        if (result is "oif" or "oifname" && flags.Contains("saddr") && (right.ValueKind == JsonValueKind.False || right.ValueKind == JsonValueKind.True
            || (right.ValueKind == JsonValueKind.String && right.GetString() is "0" or "") || (right.ValueKind == JsonValueKind.Number && right.GetRawText() == "0")))
        {
            var exists = right.ValueKind == JsonValueKind.True;
            _matches.Add(new ConstantMatch(MatchResults.Of(exists).Negate(negate)));
            return true;
        }

        _matches.Add(new UnknownMatch($"fib {string.Join(" . ", flags)} {result} {NftText.Expr(right)}"));
        return true;
    }

    private readonly record struct LeftSide(PacketField? Field, int? Version, List<RuleMatch> Dependencies, string? Unknown);

    /// <summary>Reads the left-hand side of a match: the packet field one expression family names, with the matches its protocol implies.</summary>
    private delegate LeftSide LeftHandler(NftRuleCompiler rule, JsonElement value, List<RuleMatch> dependencies);

    /// <summary><c>meta KEY</c>: the keys the evaluator knows.</summary>
    private static readonly FrozenDictionary<string, PacketField> MetaFields = new Dictionary<string, PacketField>(StringComparer.Ordinal)
    {
        ["l4proto"] = PacketField.L4Protocol,
        ["nfproto"] = PacketField.IpVersion,
        ["protocol"] = PacketField.IpVersion,
        ["iifname"] = PacketField.InInterface,
        ["iif"] = PacketField.InInterface,
        ["oifname"] = PacketField.OutInterface,
        ["oif"] = PacketField.OutInterface,
        ["mark"] = PacketField.Mark,
        ["pkttype"] = PacketField.PacketType,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary><c>ct KEY</c>: the keys the evaluator knows.</summary>
    private static readonly FrozenDictionary<string, PacketField> ConntrackFields = new Dictionary<string, PacketField>(StringComparer.Ordinal)
    {
        ["state"] = PacketField.ConntrackState,
        ["status"] = PacketField.ConntrackStatus,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The expression families a match can compare, in the order they are looked for.</summary>
    private static readonly (string Key, LeftHandler Read)[] LeftExpressions =
    [
        ("payload", static (r, v, deps) => r.Payload(v, deps)),
        ("meta", static (_, v, deps) => Keyed("meta", MetaFields, v, deps)),
        ("ct", static (_, v, deps) => Keyed("ct", ConntrackFields, v, deps)),
    ];

    /// <summary>What one protocol header's field is, with the matches its protocol implies.</summary>
    private delegate LeftSide PayloadHandler(NftRuleCompiler rule, string protocol, string? field, List<RuleMatch> dependencies);

    /// <summary><c>payload</c> by protocol header: one handler per family; another protocol's field is unknown.</summary>
    private static readonly FrozenDictionary<string, PayloadHandler> PayloadFamilies = new Dictionary<string, PayloadHandler>(StringComparer.Ordinal)
    {
        ["ip"] = static (r, proto, field, deps) => r.IpPayload(proto, field, deps),
        ["ip6"] = static (r, proto, field, deps) => r.IpPayload(proto, field, deps),
        ["tcp"] = TransportPayload,
        ["udp"] = TransportPayload,
        ["udplite"] = TransportPayload,
        ["sctp"] = TransportPayload,
        ["dccp"] = TransportPayload,
        ["th"] = static (_, _, field, deps) => field switch
        {
            "sport" => new(PacketField.SourcePort, null, deps, null),
            "dport" => new(PacketField.DestinationPort, null, deps, null),
            _ => new(null, null, deps, $"th {field}"),
        },
        ["icmp"] = IcmpPayload,
        ["icmpv6"] = IcmpPayload,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private LeftSide Left(JsonElement left)
    {
        var deps = new List<RuleMatch>();
        if (left.ValueKind != JsonValueKind.Object)
        {
            return new(null, null, deps, "not an expression");
        }

        foreach (var (key, read) in LeftExpressions)
        {
            if (left.TryGetProperty(key, out var value))
            {
                return read(this, value, deps);
            }
        }

        foreach (var p in left.EnumerateObject())
        {
            return new(null, null, deps, p.Name);
        }

        return new(null, null, deps, "empty expression");
    }

    private static LeftSide Keyed(string family, FrozenDictionary<string, PacketField> fields, JsonElement value, List<RuleMatch> deps)
    {
        var key = Str(value, "key");
        return key is not null && fields.TryGetValue(key, out var field) ? new(field, null, deps, null) : new(null, null, deps, $"{family} {key}");
    }

    private LeftSide Payload(JsonElement payload, List<RuleMatch> deps)
    {
        var proto = Str(payload, "protocol");
        var field = Str(payload, "field");
        if (proto is null)
        {
            return new(null, null, deps, "raw payload");
        }

        if (PayloadFamilies.TryGetValue(proto, out var read))
        {
            return read(this, proto, field, deps);
        }

        // ah spi, gre ...: only packets of that protocol have the field.
        if (FirewallValueParser.TryProtocol(proto, out var other))
        {
            deps.Add(FieldMatch.ProtocolIs(other));
        }

        return new(null, null, deps, $"{proto} {field}");
    }

    private LeftSide IpPayload(string proto, string? field, List<RuleMatch> deps)
    {
        var version = proto == "ip" ? 4 : 6;
        if (_family is not (TableFamily.Ip or TableFamily.Ip6))
        {
            deps.Add(FieldMatch.IpVersionIs(version));
        }
        else if (_family.Sees(version) is false)
        {
            deps.Add(new ConstantMatch(MatchResult.No));
        }

        return field switch
        {
            "saddr" => new(PacketField.SourceAddress, version, deps, null),
            "daddr" => new(PacketField.DestinationAddress, version, deps, null),
            "protocol" or "nexthdr" => new(PacketField.L4Protocol, null, deps, null),
            _ => new(null, null, deps, $"{proto} {field}"),
        };
    }

    private static LeftSide TransportPayload(NftRuleCompiler rule, string proto, string? field, List<RuleMatch> deps)
    {
        FirewallValueParser.TryProtocol(proto, out var number);
        deps.Add(FieldMatch.ProtocolIs(number));
        return field switch
        {
            "sport" => new(PacketField.SourcePort, null, deps, null),
            "dport" => new(PacketField.DestinationPort, null, deps, null),
            "flags" when proto == "tcp" => new(PacketField.TcpFlags, null, deps, null),
            _ => new(null, null, deps, $"{proto} {field}"),
        };
    }

    private static LeftSide IcmpPayload(NftRuleCompiler rule, string proto, string? field, List<RuleMatch> deps)
    {
        deps.Add(FieldMatch.ProtocolIs(proto == "icmp" ? PacketState.Icmp : PacketState.Icmpv6));
        return field == "type" ? new(PacketField.IcmpType, proto == "icmp" ? 4 : 6, deps, null) : new(null, null, deps, $"{proto} {field}");
    }

    /// <summary>Reads the values of one kind of packet field from a right-hand side's elements; null (with why) when one cannot be read.</summary>
    private delegate FieldValues? ElementValuesReader(PacketField field, int? version, List<JsonElement> elements, out string? why);

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
        var elements = SetElements(right, out why);
        if (elements is null)
        {
            return null;
        }

        var read = ElementValues.TryGetValue(field, out var reader) ? reader : NumericElements;
        return read(field, version, elements, out why);
    }

    private static InterfaceValues? InterfaceElements(PacketField field, int? version, List<JsonElement> elements, out string? why)
    {
        why = null;
        var names = new List<string>();
        foreach (var e in elements)
        {
            var u = Unwrap(e);
            if (u.ValueKind != JsonValueKind.String)
            {
                why = $"interface {u.GetRawText()}";
                return null;
            }

            names.Add(u.GetString()!);
        }

        return new InterfaceValues(names);
    }

    private static ConntrackStateValues? ConntrackStateElements(PacketField field, int? version, List<JsonElement> elements, out string? why)
    {
        why = null;
        var states = ConntrackStates.None;
        foreach (var e in elements)
        {
            var u = Unwrap(e);
            var list = u.ValueKind == JsonValueKind.Array ? u.EnumerateArray().ToList() : [u];
            foreach (var item in list)
            {
                if (item.ValueKind != JsonValueKind.String || !ConntrackStateNames.TryParse(item.GetString()!, out var s))
                {
                    why = $"ct state {item.GetRawText()}";
                    return null;
                }

                states |= s;
            }
        }

        return new ConntrackStateValues(states);
    }

    private static FieldValues? NumericElements(PacketField field, int? version, List<JsonElement> elements, out string? why)
    {
        why = null;
        var ranges = new List<(UInt128, UInt128)>();
        foreach (var e in elements)
        {
            var u = Unwrap(e);
            if (u.ValueKind == JsonValueKind.Array && field == PacketField.TcpFlags)
            {
                if (Flags(field, u) is not { } bits)
                {
                    why = $"flags {u.GetRawText()}";
                    return null;
                }

                ranges.Add((bits, bits));
                continue;
            }

            if (!TryScalar(field, version, u, out var lo, out var hi))
            {
                why = $"value {u.GetRawText()}";
                return null;
            }

            ranges.Add((lo, hi));
        }

        return new NumericValues(IntervalSet.Of(ranges), field is PacketField.SourceAddress or PacketField.DestinationAddress ? version : null);
    }

    /// <summary>The elements a right-hand side stands for; null (with why) when they cannot be known.</summary>
    private List<JsonElement>? SetElements(JsonElement right, out string? why)
    {
        why = null;
        if (right.ValueKind == JsonValueKind.String && right.GetString()!.StartsWith('@'))
        {
            var name = right.GetString()![1..];
            if (!_sets.TryGetValue(name, out var set))
            {
                why = $"set @{name} not in the dump";
                return null;
            }

            return [.. Each(set.Elements)];
        }

        if (right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out var anon))
        {
            return [.. Each(anon)];
        }

        return [right];
    }

    private static List<JsonElement> Each(JsonElement arrayOrOne) =>
        arrayOrOne.ValueKind == JsonValueKind.Array ? [.. arrayOrOne.EnumerateArray()] : arrayOrOne.ValueKind == JsonValueKind.Undefined ? [] : [arrayOrOne];

    /// <summary>Strips <c>{"elem": {"val": X, ...}}</c> (elements with timeouts or counters) down to X.</summary>
    private static JsonElement Unwrap(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("elem", out var elem) && elem.ValueKind == JsonValueKind.Object && elem.TryGetProperty("val", out var val) ? val : e;

    private static List<JsonElement> Components(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("concat", out var c) && c.ValueKind == JsonValueKind.Array ? [.. c.EnumerateArray()] : [e];

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
                var value = NamedValues.TryGetValue(field, out var read) ? read(e.GetString()!, version, e)
                    : FirewallValueParser.TryUInt(e.GetString()!, out var number) ? number : null;
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
            && addr.ValueKind == JsonValueKind.String && FirewallValueParser.TryAddress(addr.GetString()!, version, out var a))
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
    private delegate UInt128? NamedValueReader(string text, int? version, JsonElement element);

    /// <summary>Values written as text, by field: one reader per kind; any other field takes a number.</summary>
    private static readonly FrozenDictionary<PacketField, NamedValueReader> NamedValues = new Dictionary<PacketField, NamedValueReader>
    {
        [PacketField.SourceAddress] = AddressValue,
        [PacketField.DestinationAddress] = AddressValue,
        [PacketField.L4Protocol] = static (s, _, _) => FirewallValueParser.TryProtocol(s, out var proto) ? proto : null,
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
        [PacketField.IcmpType] = static (s, version, element) => FirewallValueParser.TryIcmpType(s, version == 6, out var type, out _) ? type : null,
        [PacketField.TcpFlags] = static (_, _, e) => Flags(PacketField.TcpFlags, e) is { } bits ? bits : null,
    }.ToFrozenDictionary();

    private static UInt128? AddressValue(string text, int? version, JsonElement element) =>
        FirewallValueParser.TryAddress(text, version, out var address) ? PacketState.Encode(address) : null;

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

        var names = e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : [e];
        uint bits = 0;
        foreach (var n in names)
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

        var name = n.GetString()!;
        return FlagNames.TryGetValue(field, out var read) ? read(name)
            : FirewallValueParser.TryUInt(name, out var value) ? value : null;
    }

    private static string? Str(JsonElement v, string name) =>
        v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static long? Long(JsonElement v, string name) =>
        v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n) ? n : null;
}
