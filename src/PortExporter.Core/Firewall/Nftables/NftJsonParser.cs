using System.Globalization;
using System.Text.Json;
using PortExporter.Core.Firewall.Model;

namespace PortExporter.Core.Firewall.Nftables;

/// <summary>
/// Pure parser of <c>nft -j list ruleset</c> (libnftables JSON schema 1). Reads with <see cref="JsonDocument"/>
/// only (no reflection serialization, so it is trimming/AOT safe). Tables, base chains (hook, priority, type,
/// policy), user chains, named sets and maps, and rules are compiled into <see cref="FirewallTable"/>s.
/// A document that is not an nft ruleset throws <see cref="FirewallParseException"/> naming the object.
/// </summary>
public static class NftJsonParser
{
    /// <summary>Upper bound on rules in one dump, so a runaway input is an error and not unbounded memory.</summary>
    public const int MaxRules = 1_000_000;

    public const string DefaultSource = "nft -j list ruleset";

    /// <param name="json">The dump.</param>
    /// <param name="source">Where it came from, for error messages.</param>
    /// <param name="maxRules">Rules allowed before the dump is refused as runaway.</param>
    public static NftRuleset Parse(string json, string source = DefaultSource, int maxRules = MaxRules)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            var where = $"JSON line {(e.LineNumber ?? 0).ToString(CultureInfo.InvariantCulture)} byte {(e.BytePositionInLine ?? 0).ToString(CultureInfo.InvariantCulture)}";
            throw new FirewallParseException(source, where, "not valid JSON (truncated or garbage output?)", e);
        }

        using (document)
        {
            return Read(document.RootElement, source, maxRules);
        }
    }

    private static NftRuleset Read(JsonElement root, string source, int maxRules)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new FirewallParseException(source, "document", "expected an object with an \"nftables\" array", Clip(root));
        }

        var tables = new Dictionary<(TableFamily, string), TableAccumulator>();
        var order = new List<(TableFamily, string)>();
        var rules = new List<(int Index, JsonElement Rule)>();
        var index = -1;
        foreach (var item in items.EnumerateArray())
        {
            index++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new FirewallParseException(source, Where(index), "expected an object", Clip(item));
            }

            foreach (var p in item.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "table":
                    {
                        var key = TableKey(p.Value, "name", source, index);
                        if (!tables.ContainsKey(key))
                        {
                            tables[key] = new TableAccumulator();
                            order.Add(key);
                        }

                        break;
                    }

                    case "chain":
                    {
                        var key = TableKey(p.Value, "table", source, index);
                        var table = Table(tables, key, source, index);
                        var name = RequiredString(p.Value, "name", source, index);
                        if (!table.Chains.TryAdd(name, (BaseHook(p.Value, source, index), [])))
                        {
                            throw new FirewallParseException(source, Where(index), "chain listed twice", name);
                        }

                        table.ChainOrder.Add(name);
                        break;
                    }

                    case "set" or "map":
                    {
                        var key = TableKey(p.Value, "table", source, index);
                        var table = Table(tables, key, source, index);
                        var name = RequiredString(p.Value, "name", source, index);
                        var elements = p.Value.TryGetProperty("elem", out var elem) ? elem : default;
                        table.Sets[name] = new NftSetDefinition(name, elements, p.Name == "map");
                        break;
                    }

                    case "rule":
                        if (rules.Count >= maxRules)
                        {
                            throw new FirewallParseException(source, Where(index), $"more than {maxRules} rules");
                        }

                        rules.Add((index, p.Value));
                        break;
                    default:
                        // metainfo, counter, quota, ct helper, limit, flowtable, element, ...: not on the verdict path.
                        break;
                }
            }
        }

        var xt = new HashSet<(TableFamily, string)>();
        foreach (var (ruleIndex, rule) in rules)
        {
            var key = TableKey(rule, "table", source, ruleIndex);
            var table = Table(tables, key, source, ruleIndex);
            var chainName = RequiredString(rule, "chain", source, ruleIndex);
            if (!table.Chains.TryGetValue(chainName, out var chain))
            {
                throw new FirewallParseException(source, Where(ruleIndex), "rule of a chain not in the dump", chainName);
            }

            if (!rule.TryGetProperty("expr", out var exprs) || exprs.ValueKind != JsonValueKind.Array)
            {
                throw new FirewallParseException(source, Where(ruleIndex), "rule without an \"expr\" array", Clip(rule));
            }

            long? handle = rule.TryGetProperty("handle", out var h) && h.TryGetInt64(out var hv) ? hv : null;
            var comment = rule.TryGetProperty("comment", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var compiled = NftRuleCompiler.Compile(exprs, key.Item1, table.Sets);
            if (compiled.HasXt)
            {
                xt.Add(key);
            }

            foreach (var jumpTarget in Targets(compiled.Action))
            {
                if (!table.Chains.ContainsKey(jumpTarget))
                {
                    throw new FirewallParseException(source, Where(ruleIndex), "jump/goto to a chain not in the dump", jumpTarget);
                }
            }

            chain.Rules.Add(new FirewallRule(chain.Rules.Count + 1, handle, NftText.Rule(exprs, comment), compiled.Matches, compiled.Action)
            {
                Packets = compiled.Packets,
                Bytes = compiled.Bytes,
                Comment = comment,
                SetsNotrack = compiled.SetsNotrack,
                Mark = compiled.Mark,
            });
        }

        var result = new List<FirewallTable>(order.Count);
        foreach (var key in order)
        {
            var acc = tables[key];
            var chains = new Dictionary<string, FirewallChain>(StringComparer.Ordinal);
            foreach (var name in acc.ChainOrder)
            {
                var (hook, chainRules) = acc.Chains[name];
                chains[name] = new FirewallChain(name, hook, chainRules);
            }

            result.Add(new FirewallTable(FirewallBackends.Nftables, key.Item1, key.Item2, chains));
        }

        return new NftRuleset(result, [.. order.Where(xt.Contains)]);
    }

    private static IEnumerable<string> Targets(RuleAction action)
    {
        if (action.Kind is RuleActionKind.Jump or RuleActionKind.Goto && action.Target is { } t)
        {
            yield return t;
        }

        if (action.Map is { } map)
        {
            foreach (var e in map.Entries)
            {
                if (e.Action.Kind is RuleActionKind.Jump or RuleActionKind.Goto && e.Action.Target is { } et)
                {
                    yield return et;
                }
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
            throw new FirewallParseException(source, Where(index), "base chain without a numeric \"prio\"", Clip(chain));
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

    private static (TableFamily, string) TableKey(JsonElement obj, string nameProperty, string source, int index)
    {
        var familyText = RequiredString(obj, "family", source, index);
        if (!TableFamilyNames.TryParse(familyText, out var family))
        {
            throw new FirewallParseException(source, Where(index), "unknown table family", familyText);
        }

        return (family, RequiredString(obj, nameProperty, source, index));
    }

    private static TableAccumulator Table(Dictionary<(TableFamily, string), TableAccumulator> tables, (TableFamily, string) key, string source, int index) =>
        tables.TryGetValue(key, out var table)
            ? table
            : throw new FirewallParseException(source, Where(index), "object of a table not in the dump", $"{key.Item1.ToLabel()} {key.Item2}");

    private static string RequiredString(JsonElement obj, string name, string source, int index) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FirewallParseException(source, Where(index), $"missing string \"{name}\"", Clip(obj));

    private static string Where(int index) => $"nftables[{index.ToString(CultureInfo.InvariantCulture)}]";

    private static string Clip(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length > 200 ? raw[..200] + "..." : raw;
    }

    private sealed class TableAccumulator
    {
        public Dictionary<string, (BaseChainHook? Hook, List<FirewallRule> Rules)> Chains { get; } = new(StringComparer.Ordinal);

        public List<string> ChainOrder { get; } = [];

        public Dictionary<string, NftSetDefinition> Sets { get; } = new(StringComparer.Ordinal);
    }
}
