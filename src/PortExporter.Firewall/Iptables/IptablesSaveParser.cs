using System.Buffers;
using System.Globalization;
using System.Text;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables;

/// <summary>
/// Pure parser of <c>iptables-save -c</c> / <c>ip6tables-save -c</c> output (legacy and nft variants):
/// <c>*table</c>, <c>:CHAIN POLICY [packets:bytes]</c>, <c>[packets:bytes] -A CHAIN ...</c>, <c>COMMIT</c>.
/// A structurally broken dump throws <see cref="FirewallParseException"/> naming the line; a rule using a
/// match it does not understand is kept with an <see cref="UnknownMatch"/>.
/// </summary>
public static class IptablesSaveParser
{
    /// <summary>Upper bound on rules in one dump, so a runaway input is an error and not unbounded memory.</summary>
    public const int MaxRules = 1_000_000;

    /// <summary>
    /// Most lines one rule may span: a quoted value can hold line breaks (an iptables comment, at most 256 bytes,
    /// so at most 256 of them); a quote still open after that many lines is an unclosed quote.
    /// </summary>
    public const int MaxLinesPerRule = 257;

    /// <summary>How a rule that looks up an ipset shows in a dump.</summary>
    private const string SetMatch = "--match-set";

    /// <param name="text">The dump.</param>
    /// <param name="backend">The <c>backend</c> label of its tables (<see cref="FirewallBackends"/>).</param>
    /// <param name="ipVersion">4 for iptables-save, 6 for ip6tables-save.</param>
    /// <param name="source">The command or file it came from, for error messages.</param>
    /// <param name="maxRules">Rules allowed before the dump is refused as runaway.</param>
    /// <param name="sets">The ipset contents <c>-m set</c> rules look up (<c>ipset save</c>), or null when not read: those matches are then unknown.</param>
    /// <param name="reuse">The rules an earlier read compiled, taken again where a rule's text (without counters) and its table's user chains are unchanged; null compiles every rule.</param>
    public static IReadOnlyList<FirewallTable> Parse(string text, string backend, int ipVersion, string source, int maxRules = MaxRules, IpsetCatalog? sets = null, CompiledRuleSession? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new FirewallParseException(source, "input", "binary data (NUL byte) in a text dump");
        }

        var tables = new List<FirewallTable>();
        var context = new RuleContext(ipVersion, backend, new RuleInterner(), sets, reuse);
        TableBuilder? current = null;
        var lineNumber = 0;
        var rules = 0;
        StringBuilder? continued = null;
        var continuedWhere = string.Empty;
        var continuedLines = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            if (continued is not null)
            {
                // iptables-save prints a line break inside a quoted value (--comment $'a\nb') as it is.
                continued.Append('\n').Append(rawLine);
                if (++continuedLines < MaxLinesPerRule && IptablesTokenizer.Split(continued.ToString()) is null)
                {
                    continue;
                }

                AddRule(continued.ToString().Trim(), continuedWhere);
                continued = null;
                continue;
            }

            var trimmed = rawLine.Trim();
            if (current is not null && reuse is not null && TryReuse(current, trimmed, context))
            {
                // Taken as the last read compiled it, without a string made of the line.
                if (++rules > maxRules)
                {
                    throw new FirewallParseException(source, $"line {lineNumber.ToString(CultureInfo.InvariantCulture)}", $"more than {maxRules} rules");
                }

                continue;
            }

            var line = trimmed.ToString();
            var where = $"line {lineNumber.ToString(CultureInfo.InvariantCulture)}";
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '*')
            {
                if (current is not null)
                {
                    throw new FirewallParseException(source, where, $"table '{current.Name}' has no COMMIT before the next table", line);
                }

                var name = line[1..];
                if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
                {
                    throw new FirewallParseException(source, where, "bad table line", line);
                }

                current = new TableBuilder(name);
                continue;
            }

            if (current is null)
            {
                throw new FirewallParseException(source, where, "content outside a *table ... COMMIT block", line);
            }

            if (line == "COMMIT")
            {
                tables.Add(current.Build(backend, ipVersion == 6 ? TableFamily.Ip6 : TableFamily.Ip));
                current = null;
                continue;
            }

            if (line[0] == ':')
            {
                ParseChainLine(current, line, source, where);
                continue;
            }

            if (line.Contains('"', StringComparison.Ordinal) && IptablesTokenizer.Split(line) is null)
            {
                (continued, continuedWhere, continuedLines) = (new StringBuilder(line), where, 1);
                continue;
            }

            AddRule(line, where);
        }

        if (continued is not null)
        {
            AddRule(continued.ToString().Trim(), continuedWhere); // the quote never closes: "unclosed quote"
        }

        if (current is not null)
        {
            throw new FirewallParseException(source, "end of input", $"table '{current.Name}' is not committed (truncated dump?)");
        }

        return tables;

        void AddRule(string line, string where)
        {
            if (++rules > maxRules)
            {
                throw new FirewallParseException(source, where, $"more than {maxRules} rules");
            }

            ParseRuleLine(current!, line, context, source, where);
        }
    }

    private static void ParseChainLine(TableBuilder table, string line, string source, string where)
    {
        // :INPUT DROP [12:3456]   or   :MYCHAIN - [0:0]
        var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 2 or > 3)
        {
            throw new FirewallParseException(source, where, "bad chain line", line);
        }

        var name = parts[0];
        var policy = parts[1];
        long? packets = null;
        if (parts.Length == 3)
        {
            if (!TryCounters(parts[2], out var p, out _))
            {
                throw new FirewallParseException(source, where, "bad chain counters", parts[2]);
            }

            packets = p;
        }

        if (policy is not ("ACCEPT" or "DROP" or "-" or "QUEUE" or "RETURN"))
        {
            throw new FirewallParseException(source, where, "bad chain policy", policy);
        }

        if (!table.Declare(name, policy == "-" ? null : policy == "DROP", packets))
        {
            throw new FirewallParseException(source, where, "chain declared twice", name);
        }
    }

    private static void ParseRuleLine(TableBuilder table, string line, RuleContext context, string source, string where)
    {
        long? packets = null;
        long? bytes = null;
        var ruleText = line;
        if (line[0] == '[')
        {
            var close = line.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !TryCounters(line.AsSpan(0, close + 1), out var p, out var b))
            {
                throw new FirewallParseException(source, where, "bad rule counters", line);
            }

            packets = p;
            bytes = b;
            ruleText = line[(close + 1)..].TrimStart();
        }

        // A rule that looks up an ipset reads the set's members too: compiled every time.
        var key = UInt128.Zero;
        var reuse = context.Reuse;
        var reusable = reuse is not null && !ruleText.Contains(SetMatch, StringComparison.Ordinal);
        if (reusable && TryTake(table, context, ruleText, packets, bytes, out key))
        {
            return;
        }

        var args = IptablesTokenizer.Split(ruleText) ?? throw new FirewallParseException(source, where, "unclosed quote", line);
        if (args.Count < 2 || args[0] is not ("-A" or "--append"))
        {
            throw new FirewallParseException(source, where, "expected '-A CHAIN ...'", line);
        }

        var chain = args[1];
        if (!table.IsDeclared(chain))
        {
            throw new FirewallParseException(source, where, $"rule for undeclared chain '{chain}'", line);
        }

        var compiled = IptablesRuleCompiler.Compile(args.GetRange(2, args.Count - 2), context.IpVersion, table.UserChains, context.Interner, context.Sets, out var problem);
        if (problem is not null)
        {
            throw new FirewallParseException(source, where, problem, line);
        }

        if (compiled.Counters is { } c)
        {
            (packets, bytes) = (c.Packets, c.Bytes);
        }

        // The rule's text stays one line (labels, logs): a line break inside a quoted value shows as \n.
        var added = table.AddRule(chain, position => new FirewallRule(position, null, ruleText.Replace("\n", "\\n", StringComparison.Ordinal), compiled.Matches, compiled.Action)
        {
            Packets = packets,
            Bytes = bytes,
            Comment = compiled.Comment,
            SetsNotrack = compiled.SetsNotrack,
            Mark = compiled.Mark,
        });
        // The key holds the table's context already.
        if (reusable)
        {
            reuse!.Keep(key, new CompiledRule(added, (context.IpVersion == 6 ? TableFamily.Ip6 : TableFamily.Ip, table.Name), chain, UInt128.Zero, compiled.Counters is not null), reused: false);
        }
        else
        {
            reuse?.Compiling();
        }
    }

    /// <summary>What every rule of one parse is compiled with.</summary>
    private sealed record RuleContext(int IpVersion, string Backend, RuleInterner Interner, IpsetCatalog? Sets, CompiledRuleSession? Reuse);

    /// <summary>
    /// Adds the rule of a <c>[packets:bytes] -A CHAIN ...</c> line as the last read compiled it, when it did; false
    /// (nothing added) for anything else, which the full parse then reads. Lines with a quote (which may go on over the
    /// next lines) or an ipset lookup are always read in full.
    /// </summary>
    private static bool TryReuse(TableBuilder table, ReadOnlySpan<char> line, RuleContext context)
    {
        if (line.IsEmpty || line[0] != '[')
        {
            return false;
        }

        var close = line.IndexOf(']');
        if (close < 0 || !TryCounters(line[..(close + 1)], out var packets, out var bytes))
        {
            return false;
        }

        var ruleText = line[(close + 1)..].TrimStart();
        if (ruleText.Contains('"') || ruleText.Contains(SetMatch, StringComparison.Ordinal))
        {
            return false;
        }

        return TryTake(table, context, ruleText, packets, bytes, out _);
    }

    /// <summary>Adds the rule of <paramref name="ruleText"/> as the last read compiled it, when it did; its key either way.</summary>
    private static bool TryTake(TableBuilder table, RuleContext context, ReadOnlySpan<char> ruleText, long? packets, long? bytes, out UInt128 key)
    {
        var reuse = context.Reuse!;
        key = CompiledRuleSession.Key(table.Context(context.Backend, context.IpVersion), ruleText);
        if (!reuse.TryFind(key, out var earlier) || !table.IsDeclared(earlier.Chain))
        {
            return false;
        }

        // Counters in the rule's own text (-c) are part of the key; otherwise they are the line's.
        table.AddRule(earlier.Chain, position => earlier.Flag ? earlier.At(position, null, earlier.Rule.Packets, earlier.Rule.Bytes) : earlier.At(position, null, packets, bytes));
        reuse.Keep(key, earlier, reused: true);
        return true;
    }

    private static bool TryCounters(ReadOnlySpan<char> text, out long packets, out long bytes)
    {
        packets = bytes = 0;
        if (text.Length < 5 || text[0] != '[' || text[^1] != ']')
        {
            return false;
        }

        var colon = text.IndexOf(':');
        return colon > 0
            && long.TryParse(text.Slice(1, colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out packets)
            && long.TryParse(text.Slice(colon + 1, text.Length - colon - 2), NumberStyles.None, CultureInfo.InvariantCulture, out bytes);
    }

    private sealed class TableBuilder(string name)
    {
        private readonly Dictionary<string, (bool? PolicyDrops, long? Packets, List<FirewallRule> Rules)> _chains = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];
        private readonly HashSet<string> _userChains = new(StringComparer.Ordinal);
        private UInt128? _context;

        public string Name { get; } = name;

        public IReadOnlySet<string> UserChains => _userChains;

        public bool Declare(string chain, bool? policyDrops, long? packets)
        {
            if (!_chains.TryAdd(chain, (policyDrops, packets, [])))
            {
                return false;
            }

            _order.Add(chain);
            if (policyDrops is null)
            {
                _userChains.Add(chain);
                _context = null;
            }

            return true;
        }

        public bool IsDeclared(string chain) => _chains.ContainsKey(chain);

        public FirewallRule AddRule(string chain, Func<int, FirewallRule> make)
        {
            var rules = _chains[chain].Rules;
            var rule = make(rules.Count + 1);
            rules.Add(rule);
            return rule;
        }

        /// <summary>
        /// What a rule's compilation reads besides its text: the dump it is in and the table's user chains (a
        /// <c>-j NAME</c> is a jump to one of them, else a target). Hashed again only when a chain was declared since.
        /// </summary>
        public UInt128 Context(string backend, int ipVersion)
        {
            if (_context is not { } context)
            {
                var text = $"{backend}\n{ipVersion.ToString(CultureInfo.InvariantCulture)}\n{Name}\n{string.Join('\n', _userChains.Order(StringComparer.Ordinal))}";
                context = CompiledRuleSession.Context([new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text))]);
                _context = context;
            }

            return context;
        }

        public FirewallTable Build(string backend, TableFamily family)
        {
            var chains = new Dictionary<string, FirewallChain>(StringComparer.Ordinal);
            foreach (var name in _order)
            {
                var (policyDrops, packets, rules) = _chains[name];
                var hook = policyDrops is { } drops ? IptablesBuiltins.Hook(Name, name, drops) : null;
                chains[name] = new FirewallChain(name, hook, rules, packets);
            }

            return new FirewallTable(backend, family, Name, chains);
        }
    }
}
