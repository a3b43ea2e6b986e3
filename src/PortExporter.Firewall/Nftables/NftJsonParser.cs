using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

/// <summary>
/// Pure parser of <c>nft -j list ruleset</c> (libnftables JSON schema 1). Reads with <see cref="Utf8JsonReader"/> and
/// one small <see cref="JsonDocument"/> per item (no reflection serialization, so it is trimming/AOT safe). Tables, base chains (hook, priority, type,
/// policy), user chains, named sets and maps, and rules are compiled into <see cref="FirewallTable"/>s.
/// A document that is not an nft ruleset throws <see cref="FirewallParseException"/> naming the object.
/// </summary>
public static class NftJsonParser
{
    /// <summary>Upper bound on rules in one dump, so a runaway input is an error and not unbounded memory.</summary>
    public const int MaxRules = 1_000_000;

    public const string DefaultSource = "nft -j list ruleset";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    /// <param name="json">The dump.</param>
    /// <param name="source">Where it came from, for error messages.</param>
    /// <param name="maxRules">Rules allowed before the dump is refused as runaway.</param>
    public static NftRuleset Parse(string json, string source = DefaultSource, int maxRules = MaxRules)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), source, maxRules);
    }

    /// <param name="utf8">The dump as UTF-8.</param>
    /// <param name="source">Where it came from, for error messages.</param>
    /// <param name="maxRules">Rules allowed before the dump is refused as runaway.</param>
    public static NftRuleset Parse(ReadOnlyMemory<byte> utf8, string source = DefaultSource, int maxRules = MaxRules) =>
        Parse(new ReadOnlySequence<byte>(utf8), source, maxRules);

    /// <param name="utf8">The dump as UTF-8, in the pieces it was read in (never joined into one array).</param>
    /// <param name="source">Where it came from, for error messages.</param>
    /// <param name="maxRules">Rules allowed before the dump is refused as runaway.</param>
    /// <param name="reuse">The rules an earlier read compiled, taken again where a rule and its table's sets are unchanged; null compiles every rule.</param>
    public static NftRuleset Parse(ReadOnlySequence<byte> utf8, string source = DefaultSource, int maxRules = MaxRules, CompiledRuleSession? reuse = null)
    {
        // The dump is read one item at a time, not as one JsonDocument: a document over a 3.7 MB dump rents about
        // 20 MB from the shared array pool, and the pool keeps those buffers long after the parse (measured in
        // bench/RESULTS.md). Here the first pass walks the dump with a reader, keeps tables, chains and sets, and
        // notes where each rule is; the second compiles the rules one small document each, once every set is known.
        var items = new ItemReader(source, maxRules);
        try
        {
            items.Scan(utf8);
        }
        catch (JsonException e)
        {
            var where = $"JSON line {(e.LineNumber ?? 0).ToString(CultureInfo.InvariantCulture)} byte {(e.BytePositionInLine ?? 0).ToString(CultureInfo.InvariantCulture)}";
            throw new FirewallParseException(source, where, "not valid JSON (truncated or garbage output?)", e);
        }

        return Compile(utf8, items, source, reuse);
    }

    private static NftRuleset Compile(ReadOnlySequence<byte> utf8, ItemReader items, string source, CompiledRuleSession? reuse)
    {
        var xt = new HashSet<(TableFamily, string)>();
        var interner = new RuleInterner();
        var compiler = new NftRuleCompiler(interner);
        var text = new StringBuilder();
        // A table's rules read its sets: a rule is reused only while they hash the same.
        var contexts = new Dictionary<(TableFamily, string), UInt128>();
        if (reuse is not null)
        {
            foreach (var (key, table) in items.Tables)
            {
                contexts[key] = CompiledRuleSession.Context(table.SetItems.Select(range => utf8.Slice(range.Offset, range.Length)));
            }
        }

        var scratch = reuse is null ? [] : ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            foreach (var (ruleIndex, offset, length) in items.Rules)
            {
                var slice = utf8.Slice(offset, length);
                var key = UInt128.Zero;
                if (reuse is not null)
                {
                    var keyLength = RuleKey.Bytes(slice, ref scratch, out var handle, out var packets, out var bytes);
                    key = CompiledRuleSession.Key(scratch.AsSpan(0, keyLength));
                    if (reuse.TryFind(key, out var earlier) && contexts.TryGetValue(earlier.Table, out var context) && context == earlier.Context
                        && items.Tables[earlier.Table] is var owner && owner.Chains.TryGetValue(earlier.Chain, out var ownChain))
                    {
                        RequireTargets(owner, earlier.Rule.Action, source, ruleIndex);
                        if (earlier.Flag)
                        {
                            xt.Add(earlier.Table);
                        }

                        ownChain.Rules.Add(earlier.At(ownChain.Rules.Count + 1, handle, packets, bytes));
                        reuse.Keep(key, earlier, reused: true);
                        continue;
                    }
                }

                using var document = JsonDocument.Parse(slice, DocumentOptions);
                var (rule, table, chain, hasXt) = AddRule(document.RootElement, items.Tables, source, ruleIndex, compiler, interner, text, xt);
                reuse?.Keep(key, new CompiledRule(rule, table, chain, contexts[table], hasXt), reused: false);
            }
        }
        finally
        {
            if (scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        return new NftRuleset(Tables(items), [.. items.Order.Where(xt.Contains)]);
    }

    /// <summary>Compiles one rule and appends it to its chain; notes its table in <paramref name="xt"/> when it holds an xt statement.</summary>
    private static (FirewallRule Rule, (TableFamily, string) Table, string Chain, bool Xt) AddRule(JsonElement rule, Dictionary<(TableFamily, string), TableAccumulator> tables, string source, int ruleIndex, NftRuleCompiler compiled, RuleInterner interner, StringBuilder text, HashSet<(TableFamily, string)> xt)
    {
        // Every rule repeats its family, table and chain: shared strings of the parse, not three new ones a rule.
        var key = TableKey(rule, "table", source, ruleIndex, interner);
        var table = Table(tables, key, source, ruleIndex);
        var chainName = RequiredString(rule, "chain", source, ruleIndex, interner);
        if (!table.Chains.TryGetValue(chainName, out var chain))
        {
            throw new FirewallParseException(source, Where(ruleIndex), "rule of a chain not in the dump", chainName);
        }

        if (!rule.TryGetProperty("expr", out var exprs) || exprs.ValueKind != JsonValueKind.Array)
        {
            throw new FirewallParseException(source, Where(ruleIndex), "rule without an \"expr\" array", rule.GetRawText());
        }

        long? handle = rule.TryGetProperty("handle", out var h) && h.ValueKind == JsonValueKind.Number && h.TryGetInt64(out var hv) ? hv : null;
        var comment = interner.Text(rule.TryGetProperty("comment", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null);
        compiled.Rule(exprs, key.Item1, table.Sets);
        if (compiled.HasXt)
        {
            xt.Add(key);
        }

        RequireTargets(table, compiled.Action, source, ruleIndex);
        var added = new FirewallRule(chain.Rules.Count + 1, handle, NftText.Rule(exprs, comment, text), compiled.Matches, compiled.Action)
        {
            Packets = compiled.Packets,
            Bytes = compiled.Bytes,
            Comment = comment,
            SetsNotrack = compiled.SetsNotrack,
            Mark = compiled.Mark,
        };
        chain.Rules.Add(added);
        return (added, key, chainName, compiled.HasXt);
    }

    /// <summary>Throws when the rule jumps to (or maps to) a chain its table does not have.</summary>
    private static void RequireTargets(TableAccumulator table, RuleAction action, string source, int ruleIndex)
    {
        // Checked without an iterator: nearly every rule has none, and this runs once per rule.
        if (action is { Kind: RuleActionKind.Jump or RuleActionKind.Goto, Target: { } target })
        {
            RequireChain(table, target, source, ruleIndex);
        }

        if (action.Map is { } map)
        {
            foreach (var jumpTarget in Targets(map))
            {
                RequireChain(table, jumpTarget, source, ruleIndex);
            }
        }
    }

    /// <summary>The tables in the order of the dump, each with its chains in order.</summary>
    private static List<FirewallTable> Tables(ItemReader items)
    {
        var result = new List<FirewallTable>(items.Order.Count);
        foreach (var key in items.Order)
        {
            var acc = items.Tables[key];
            var chains = new Dictionary<string, FirewallChain>(StringComparer.Ordinal);
            foreach (var name in acc.ChainOrder)
            {
                var (hook, chainRules) = acc.Chains[name];
                chains[name] = new FirewallChain(name, hook, chainRules);
            }

            result.Add(new FirewallTable(FirewallBackends.Nftables, key.Item1, key.Item2, chains)
            {
                Sets = [.. acc.Contents.Values.OrderBy(c => c.Name, StringComparer.Ordinal)],
            });
        }

        return result;
    }

    private static void RequireChain(TableAccumulator table, string target, string source, int ruleIndex)
    {
        if (!table.Chains.ContainsKey(target))
        {
            throw new FirewallParseException(source, Where(ruleIndex), "jump/goto to a chain not in the dump", target);
        }
    }

    private static IEnumerable<string> Targets(VerdictMap map)
    {
        foreach (var e in map.Entries)
        {
            if (e.Action.Kind is RuleActionKind.Jump or RuleActionKind.Goto && e.Action.Target is { } et)
            {
                yield return et;
            }
        }
    }

    private static BaseChainHook? BaseHook(JsonElement chain, string source, int index)
    {
        if (!chain.TryGetProperty("hook", out var hookElement))
        {
            return null;
        }

        NetfilterHook hook = hookElement.GetString() switch
        {
            "ingress" => NetfilterHook.Ingress,
            "prerouting" => NetfilterHook.Prerouting,
            "input" => NetfilterHook.Input,
            "forward" => NetfilterHook.Forward,
            "output" => NetfilterHook.Output,
            "postrouting" => NetfilterHook.Postrouting,
            // egress and anything newer: never on the path of an incoming connection.
            _ => NetfilterHook.Forward,
        };
        if (!chain.TryGetProperty("prio", out var prio) || !prio.TryGetInt32(out var priority))
        {
            throw new FirewallParseException(source, Where(index), "base chain without a numeric \"prio\"", chain.GetRawText());
        }

        var type = chain.TryGetProperty("type", out var t) ? t.GetString() : "filter";
        var policy = chain.TryGetProperty("policy", out var pol) ? pol.GetString() : "accept";
        if (policy is not ("accept" or "drop"))
        {
            throw new FirewallParseException(source, Where(index), "bad chain policy", policy ?? "null");
        }

        List<string>? devices = null;
        foreach (var name in (string[])["dev", "devices"])
        {
            if (chain.TryGetProperty(name, out var dev))
            {
                devices ??= [];
                if (dev.ValueKind == JsonValueKind.String)
                {
                    devices.Add(dev.GetString()!);
                }
                else if (dev.ValueKind == JsonValueKind.Array)
                {
                    devices.AddRange(dev.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.String).Select(d => d.GetString()!));
                }
            }
        }

        var chainType = type switch
        {
            "nat" => ChainType.Nat,
            "route" => ChainType.Route,
            _ => ChainType.Filter,
        };
        return new BaseChainHook(hook, priority, chainType, policy == "drop", devices);
    }

    private static (TableFamily, string) TableKey(JsonElement obj, string nameProperty, string source, int index, RuleInterner? strings = null)
    {
        var familyText = RequiredString(obj, "family", source, index, strings);
        if (!TableFamilyNames.TryParse(familyText, out var family))
        {
            throw new FirewallParseException(source, Where(index), "unknown table family", familyText);
        }

        return (family, RequiredString(obj, nameProperty, source, index, strings));
    }

    private static TableAccumulator Table(Dictionary<(TableFamily, string), TableAccumulator> tables, (TableFamily, string) key, string source, int index) =>
        tables.TryGetValue(key, out var table)
            ? table
            : throw new FirewallParseException(source, Where(index), "object of a table not in the dump", $"{key.Item1.ToLabel()} {key.Item2}");

    /// <param name="strings">Shares the string with earlier reads of the same characters (null: a new string).</param>
    private static string RequiredString(JsonElement obj, string name, string source, int index, RuleInterner? strings = null) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? strings is null ? v.GetString()! : Shared(v, strings)
            : throw new FirewallParseException(source, Where(index), $"missing string \"{name}\"", obj.GetRawText());

    private static string Shared(JsonElement value, RuleInterner strings)
    {
        Span<char> buffer = stackalloc char[NftJsonChars.MaxChars];
        return strings.Text(NftJsonChars.Value(value, buffer));
    }

    private static string Where(int index) => $"nftables[{index.ToString(CultureInfo.InvariantCulture)}]";

    /// <summary>
    /// The first pass over the dump: tables, chains and sets as they come, and where each rule is (compiled in the
    /// second pass, when every set of its table is known, wherever the set was listed).
    /// </summary>
    private sealed class ItemReader(string source, int maxRules)
    {
        public Dictionary<(TableFamily, string), TableAccumulator> Tables { get; } = [];

        public List<(TableFamily, string)> Order { get; } = [];

        public List<(int Index, long Offset, int Length)> Rules { get; } = [];

        public void Scan(ReadOnlySequence<byte> utf8)
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw NotARuleset(utf8);
            }

            var found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isItems = !found && reader.ValueTextEquals("nftables"u8);
                reader.Read();
                if (isItems && reader.TokenType == JsonTokenType.StartArray)
                {
                    found = true;
                    ReadItems(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            // Anything after the document is an error of the reader, as it was of a whole-document parse.
            while (reader.Read())
            {
            }

            if (!found)
            {
                throw NotARuleset(utf8);
            }
        }

        private void ReadItems(ref Utf8JsonReader reader)
        {
            var index = -1;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                index++;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    using var item = JsonDocument.ParseValue(ref reader);
                    throw new FirewallParseException(source, Where(index), "expected an object", item.RootElement.GetRawText());
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    switch (name)
                    {
                        case "rule":
                            if (Rules.Count >= maxRules)
                            {
                                throw new FirewallParseException(source, Where(index), $"more than {maxRules} rules");
                            }

                            var offset = reader.TokenStartIndex;
                            reader.Skip();
                            Rules.Add((index, offset, checked((int)(reader.BytesConsumed - offset))));
                            break;
                        case "table" or "chain" or "set" or "map":
                            var start = reader.TokenStartIndex;
                            using (var value = JsonDocument.ParseValue(ref reader))
                            {
                                Add(name, value.RootElement, index, (start, checked((int)(reader.BytesConsumed - start))));
                            }

                            break;
                        default:
                            // metainfo, counter, quota, ct helper, limit, flowtable, element, ...: not on the verdict path.
                            reader.Skip();
                            break;
                    }
                }
            }
        }

        private void Add(string kind, JsonElement value, int index, (long Offset, int Length) range)
        {
            switch (kind)
            {
                case "table":
                {
                    var key = TableKey(value, "name", source, index);
                    if (Tables.TryAdd(key, new TableAccumulator()))
                    {
                        Order.Add(key);
                    }

                    break;
                }

                case "chain":
                {
                    var key = TableKey(value, "table", source, index);
                    var table = Table(Tables, key, source, index);
                    var name = RequiredString(value, "name", source, index);
                    if (!table.Chains.TryAdd(name, (BaseHook(value, source, index), [])))
                    {
                        throw new FirewallParseException(source, Where(index), "chain listed twice", name);
                    }

                    table.ChainOrder.Add(name);
                    break;
                }

                default:
                {
                    var key = TableKey(value, "table", source, index);
                    var table = Table(Tables, key, source, index);
                    var name = RequiredString(value, "name", source, index);
                    // A copy of its own: the item's document is disposed when the pass moves on.
                    var elements = value.TryGetProperty("elem", out var elem) ? elem.Clone() : default;
                    table.Sets[name] = new NftSetDefinition(name, elements, kind == "map");
                    table.Contents[name] = NftSetMembers.Content(name, value);
                    table.SetItems.Add(range);
                    break;
                }
            }
        }

        private FirewallParseException NotARuleset(ReadOnlySequence<byte> utf8)
        {
            // Decodes no more than the error quotes; the marker shows that the document goes on.
            var text = Encoding.UTF8.GetString(utf8.Slice(0, Math.Min(utf8.Length, Clipping.MaxRawChars)));
            return new FirewallParseException(source, "document", "expected an object with an \"nftables\" array", utf8.Length > Clipping.MaxRawChars ? text + Clipping.Marker : text);
        }
    }

    private sealed class TableAccumulator
    {
        public Dictionary<string, (BaseChainHook? Hook, List<FirewallRule> Rules)> Chains { get; } = new(StringComparer.Ordinal);

        public List<string> ChainOrder { get; } = [];

        public Dictionary<string, NftSetDefinition> Sets { get; } = new(StringComparer.Ordinal);

        /// <summary>Where the table's sets and maps are in the dump (what its rules' compilation reads besides the rule).</summary>
        public List<(long Offset, int Length)> SetItems { get; } = [];

        /// <summary>The members of each named set and map, for change detection.</summary>
        public Dictionary<string, SetContent> Contents { get; } = new(StringComparer.Ordinal);
    }
}
