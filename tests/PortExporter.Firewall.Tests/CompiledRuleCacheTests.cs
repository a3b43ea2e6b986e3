using System.Text;
using System.Text.RegularExpressions;
using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>
/// A read of the ruleset takes the rules the previous read compiled where nothing its compilation reads has changed,
/// and gives the same ruleset as a read that compiles every rule.
/// </summary>
public sealed partial class CompiledRuleCacheTests
{
    private static string Bench(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "allocation", "bench-1k", file));

    private static IEnumerable<FirewallRule> Rules(IEnumerable<FirewallTable> tables) => tables.SelectMany(t => t.Chains.Values.SelectMany(c => c.Rules));

    private static NftRuleset ParseNft(string json, CompiledRuleCache cache)
    {
        var session = cache.Begin();
        var ruleset = NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), reuse: session);
        cache.Commit(session);
        return ruleset;
    }

    private static (IReadOnlyList<FirewallTable> Tables, CompiledRuleSession Session) ParseSave(string text, CompiledRuleCache cache, Ipset.IpsetCatalog? sets = null)
    {
        var session = cache.Begin();
        var tables = IptablesSaveParser.Parse(text, FirewallBackends.IptablesNft, 4, "test", sets: sets, reuse: session);
        cache.Commit(session);
        return (tables, session);
    }

    /// <summary>Everything a rule shows and decides with, position and counters included.</summary>
    private static void AssertSameRules(IEnumerable<FirewallTable> expected, IEnumerable<FirewallTable> actual)
    {
        var want = Rules(expected).ToList();
        var got = Rules(actual).ToList();
        Assert.Equal(want.Count, got.Count);
        foreach (var (w, g) in want.Zip(got))
        {
            Assert.Equal((w.Position, w.Handle, w.Text, w.Packets, w.Bytes, w.Comment, w.SetsNotrack, w.Mark), (g.Position, g.Handle, g.Text, g.Packets, g.Bytes, g.Comment, g.SetsNotrack, g.Mark));
            Assert.Equal(Shown(w.Action), Shown(g.Action));
            Assert.Equal(w.Matches.Select(m => m.GetType()), g.Matches.Select(m => m.GetType()));
        }
    }

    private static string Shown(RuleAction action) =>
        $"{action.Kind} {action.Target} {action.Detail} {action.NatAddress} {action.NatPort} {string.Join(", ", action.Map?.Entries.Select(e => $"{e.Key.Length}: {Shown(e.Action)}") ?? [])}";

    [Fact]
    public void A_second_read_of_the_same_nft_dump_compiles_nothing_and_gives_the_same_rules()
    {
        var json = Bench("nft.json");
        var cache = new CompiledRuleCache();
        var first = ParseNft(json, cache);
        var session = cache.Begin();
        var second = NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), reuse: session);

        Assert.Equal((1_000, 0), (session.Reused, session.Compiled));
        AssertSameRules(NftJsonParser.Parse(json).Tables, second.Tables);
        // Taken, not compiled again: the very objects of the first read.
        Assert.All(Rules(first.Tables).Zip(Rules(second.Tables)), pair => Assert.Same(pair.First, pair.Second));
    }

    [Fact]
    public void Counters_that_moved_are_the_new_dumps_on_the_reused_rule()
    {
        var json = Bench("nft.json");
        var cache = new CompiledRuleCache();
        var first = ParseNft(json, cache);
        var counted = CounterRegex().Replace(json, "\"counter\": {\"packets\": 7, \"bytes\": 420}", 1);
        Assert.NotEqual(json, counted);

        var session = cache.Begin();
        var second = NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(counted)), reuse: session);

        Assert.Equal((1_000, 0), (session.Reused, session.Compiled));
        AssertSameRules(NftJsonParser.Parse(counted).Tables, second.Tables);
        var moved = Rules(second.Tables).Single(r => r.Packets == 7);
        Assert.Equal(420, moved.Bytes);
        Assert.Same(Rules(first.Tables).Single(r => r.Handle == moved.Handle).Matches, moved.Matches);
    }

    [Fact]
    public void A_changed_rule_is_compiled_and_the_rules_after_an_inserted_one_move_down()
    {
        var json = Bench("nft.json");
        var cache = new CompiledRuleCache();
        ParseNft(json, cache);
        // The first rule's port changes (compiled again), and a new rule goes first (compiled): every later rule of its
        // chain is one position further down.
        var rule = FirstRuleRegex().Match(json).Value;
        var changed = rule.Replace("\"right\": 43898", "\"right\": 43899", StringComparison.Ordinal);
        var inserted = changed.Replace("\"handle\": 14,", "\"handle\": 99999,", StringComparison.Ordinal).Replace("43899", "43900", StringComparison.Ordinal);
        Assert.NotEqual(rule, changed);
        Assert.NotEqual(changed, inserted);
        var edited = json.Replace(rule, inserted + ", " + changed, StringComparison.Ordinal);

        var session = cache.Begin();
        var ruleset = NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(edited)), reuse: session);

        Assert.Equal((999, 2), (session.Reused, session.Compiled));
        AssertSameRules(NftJsonParser.Parse(edited).Tables, ruleset.Tables);
        var chain = ruleset.Tables.Single().Chains["PEBENCH-0000"].Rules;
        Assert.Equal([99999L, 14L], chain.Take(2).Select(r => r.Handle!.Value));
        Assert.Equal(MatchResult.Yes, chain[1].Evaluate(Packets.Syn("10.50.201.91", "10.0.0.1", 43899)));
        Assert.Equal(MatchResult.No, chain[1].Evaluate(Packets.Syn("10.50.201.91", "10.0.0.1", 43898)));
    }

    [Fact]
    public void Rules_loaded_again_under_new_handles_are_reused_with_them()
    {
        // What `nft -f ruleset.nft` after a flush, a firewall reload or a restarted container engine do: the same rules, new handles.
        var json = Bench("nft.json");
        var cache = new CompiledRuleCache();
        var first = ParseNft(json, cache);
        var reloaded = HandleRegex().Replace(json, m => $"\"chain\": {m.Groups[1].Value}, \"handle\": {long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + 100_000}");
        Assert.NotEqual(json, reloaded);

        var session = cache.Begin();
        var second = NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(reloaded)), reuse: session);

        Assert.Equal((1_000, 0), (session.Reused, session.Compiled));
        AssertSameRules(NftJsonParser.Parse(reloaded).Tables, second.Tables);
        Assert.All(Rules(first.Tables).Zip(Rules(second.Tables)), pair => Assert.Equal(pair.First.Handle + 100_000, pair.Second.Handle));
    }

    [Fact]
    public void A_rule_whose_set_changed_is_compiled_again_and_matches_the_new_members()
    {
        var json = Fixtures.Read("fail2ban-nftables", "nft.json");
        var cache = new CompiledRuleCache();
        var first = ParseNft(json, cache);
        var banned = Packets.Syn("203.0.113.1", "10.0.0.1", 8080);
        var other = Packets.Syn("198.51.100.7", "10.0.0.1", 8080);
        var lookup = Rules(first.Tables).Single(r => r.Text.Contains("@addr-set-sshd", StringComparison.Ordinal));
        Assert.Equal((MatchResult.Yes, MatchResult.No), (lookup.Evaluate(banned), lookup.Evaluate(other)));
        var rebanned = json.Replace("\"elem\": [\"203.0.113.1\"]", "\"elem\": [\"198.51.100.7\"]", StringComparison.Ordinal);
        Assert.NotEqual(json, rebanned);

        var session = cache.Begin();
        var second = NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(rebanned)), reuse: session);

        var tableRules = second.Tables.Single(t => t.Name == "f2b-table").Chains.Values.Sum(c => c.Rules.Count);
        Assert.Equal(tableRules, session.Compiled);
        var relooked = Rules(second.Tables).Single(r => r.Text.Contains("@addr-set-sshd", StringComparison.Ordinal));
        Assert.Equal((MatchResult.No, MatchResult.Yes), (relooked.Evaluate(banned), relooked.Evaluate(other)));
    }

    [Fact]
    public void A_read_that_is_not_committed_leaves_the_last_committed_one_for_the_next()
    {
        var json = Bench("nft.json");
        var cache = new CompiledRuleCache();
        ParseNft(json, cache);
        var failed = cache.Begin();
        Assert.Throws<FirewallParseException>(() => NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json[..(json.Length / 2)])), reuse: failed));

        var session = cache.Begin();
        NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), reuse: session);

        Assert.Equal((1_000, 0), (session.Reused, session.Compiled));
    }

    [Fact]
    public void Every_captured_nft_dump_reads_the_same_the_second_time()
    {
        foreach (var dir in Directory.GetDirectories(Fixtures.Root).Where(d => File.Exists(Path.Combine(d, "nft.json"))))
        {
            var json = File.ReadAllText(Path.Combine(dir, "nft.json"));
            var cache = new CompiledRuleCache();
            ParseNft(json, cache);
            var session = cache.Begin();
            var again = NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), reuse: session);

            var fresh = NftJsonParser.Parse(json);
            AssertSameRules(fresh.Tables, again.Tables);
            Assert.Equal(fresh.TablesWithXt, again.TablesWithXt);
            Assert.Equal((Rules(fresh.Tables).Count(), 0), (session.Reused, session.Compiled));
        }
    }

    [Fact]
    public void Every_captured_iptables_dump_reads_the_same_the_second_time()
    {
        // Comments in quotes, counters in the rule (-c), set lookups, IPv6: whatever the tools printed.
        var dumps = 0;
        foreach (var dir in Directory.GetDirectories(Fixtures.Root))
        {
            foreach (var (file, version) in (ReadOnlySpan<(string, int)>)[("iptables-nft-save.txt", 4), ("ip6tables-nft-save.txt", 6), ("iptables-legacy-save.txt", 4), ("ip6tables-legacy-save.txt", 6)])
            {
                var path = Path.Combine(dir, file);
                if (!File.Exists(path))
                {
                    continue;
                }

                var text = File.ReadAllText(path);
                var cache = new CompiledRuleCache();
                var first = cache.Begin();
                IptablesSaveParser.Parse(text, FirewallBackends.IptablesNft, version, "test", reuse: first);
                cache.Commit(first);
                var session = cache.Begin();
                var again = IptablesSaveParser.Parse(text, FirewallBackends.IptablesNft, version, "test", reuse: session);

                var fresh = IptablesSaveParser.Parse(text, FirewallBackends.IptablesNft, version, "test");
                AssertSameRules(fresh, again);
                var lookups = Rules(fresh).Count(r => r.Text.Contains("--match-set", StringComparison.Ordinal));
                Assert.Equal((Rules(fresh).Count() - lookups, lookups), (session.Reused, session.Compiled));
                dumps++;
            }
        }

        Assert.True(dumps > 20, $"{dumps} dumps");
    }

    [Fact]
    public void A_second_read_of_the_same_iptables_dump_takes_every_rule_with_the_lines_counters()
    {
        var text = Bench("iptables-nft-save.txt");
        var cache = new CompiledRuleCache();
        var (first, _) = ParseSave(text, cache);
        var counted = text.Replace("[0:0] -A INPUT -i lo -j ACCEPT", "[12:3456] -A INPUT -i lo -j ACCEPT", StringComparison.Ordinal);
        Assert.NotEqual(text, counted);

        var (second, session) = ParseSave(counted, cache);

        Assert.Equal((Rules(first).Count(), 0), (session.Reused, session.Compiled));
        AssertSameRules(IptablesSaveParser.Parse(counted, FirewallBackends.IptablesNft, 4, "test"), second);
        var lo = Rules(second).First();
        Assert.Equal((12L, 3456L), (lo.Packets!.Value, lo.Bytes!.Value));
        Assert.Same(Rules(first).First().Matches, lo.Matches);
    }

    [Fact]
    public void A_chain_declared_or_removed_compiles_its_tables_rules_again()
    {
        // -j PEBENCH-0009 is a jump while the chain is declared; without it, a target of that name.
        var text = Bench("iptables-nft-save.txt");
        var cache = new CompiledRuleCache();
        ParseSave(text, cache);
        var undeclared = text.Replace(":PEBENCH-0009 - [0:0]\n", string.Empty, StringComparison.Ordinal);
        undeclared = PebenchNineRulesRegex().Replace(undeclared, string.Empty);
        Assert.NotEqual(text, undeclared);

        var (tables, session) = ParseSave(undeclared, cache);

        Assert.Equal(0, session.Reused);
        AssertSameRules(IptablesSaveParser.Parse(undeclared, FirewallBackends.IptablesNft, 4, "test"), tables);
        var jump = Rules(tables).Single(r => r.Text == "-A INPUT -j PEBENCH-0009");
        Assert.NotEqual(RuleActionKind.Jump, jump.Action.Kind);
    }

    [Fact]
    public void A_rule_that_looks_up_an_ipset_is_compiled_on_every_read()
    {
        var text = Fixtures.Read("ipset-allowlist", "iptables-nft-save.txt");
        var sets = Ipset.IpsetSaveParser.Parse(Fixtures.Read("ipset-allowlist", "ipset-save.txt"), "test");
        var cache = new CompiledRuleCache();
        ParseSave(text, cache, sets);

        var (tables, session) = ParseSave(text, cache, sets);

        var lookups = Rules(tables).Count(r => r.Text.Contains("--match-set", StringComparison.Ordinal));
        Assert.True(lookups > 0);
        Assert.Equal((lookups, Rules(tables).Count() - lookups), (session.Compiled, session.Reused));
    }

    [GeneratedRegex("\"counter\": \\{\"packets\": 0, \"bytes\": 0\\}")]
    private static partial Regex CounterRegex();

    [GeneratedRegex("\\{\"rule\": \\{\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"PEBENCH-0000\", \"handle\": 14,[^\\n]*?\\{\"accept\": null\\}\\]\\}\\}")]
    private static partial Regex FirstRuleRegex();

    [GeneratedRegex("\"chain\": (\"[^\"]*\"), \"handle\": (\\d+)")]
    private static partial Regex HandleRegex();

    [GeneratedRegex("\\[0:0\\] -A PEBENCH-0009 [^\\n]*\\n")]
    private static partial Regex PebenchNineRulesRegex();
}
