using System.Text;
using System.Text.Json.Nodes;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

public sealed class NftJsonParserTests
{
    private static readonly NftRuleset Coverage = NftJsonParser.Parse(Fixtures.Read("parser-coverage", "nft.json"));

    private static FirewallTable Table(TableFamily family, string name) => Coverage.Tables.Single(t => t.Family == family && t.Name == name);

    private static FirewallRule Rule(long handle) => Table(TableFamily.Inet, "fw").Chains.Values.SelectMany(c => c.Rules).Single(r => r.Handle == handle);

    private static FirewallRule Rule(string textStart) =>
        Table(TableFamily.Inet, "fw").Chains["input"].Rules.Single(r => r.Text.StartsWith(textStart, StringComparison.Ordinal));

    [Fact]
    public void Reads_tables_of_every_family_and_base_chains_with_hook_priority_type_policy()
    {
        Assert.Contains(Coverage.Tables, t => t is { Family: TableFamily.Inet, Name: "fw" });
        Assert.Contains(Coverage.Tables, t => t is { Family: TableFamily.Netdev, Name: "ing" });
        Assert.Contains(Coverage.Tables, t => t is { Family: TableFamily.Ip6, Name: "filter" });
        var input = Table(TableFamily.Inet, "fw").Chains["input"];
        Assert.Equal(new BaseChainHook(NetfilterHook.Input, 10, ChainType.Filter, true), input.BaseHook);
        Assert.Null(Table(TableFamily.Inet, "fw").Chains["sub"].BaseHook);
        Assert.Equal(new BaseChainHook(NetfilterHook.Prerouting, -100, ChainType.Nat, false), Table(TableFamily.Ip, "nat").Chains["pre"].BaseHook);

        // nft 1.0.6 does not print the ingress device in JSON: unknown, not guessed.
        Assert.Equal(NetfilterHook.Ingress, Table(TableFamily.Netdev, "ing").Chains["i"].BaseHook!.Hook);
        Assert.Null(Table(TableFamily.Netdev, "ing").Chains["i"].BaseHook!.Devices);
        Assert.All(Coverage.Tables, t => Assert.Equal(FirewallBackends.Nftables, t.Backend));
    }

    [Fact]
    public void Flags_the_iptables_nft_tables_whose_matches_nft_cannot_print()
    {
        Assert.Contains((TableFamily.Ip, "filter"), Coverage.TablesWithXt);
        Assert.DoesNotContain((TableFamily.Inet, "fw"), Coverage.TablesWithXt);
        var xt = Table(TableFamily.Ip, "filter").Chains["INPUT"].Rules.First(r => r.UnknownReason?.StartsWith("xt match", StringComparison.Ordinal) == true);
        Assert.Contains("xt match", xt.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Renders_rules_in_nft_syntax_for_labels()
    {
        Assert.Equal("handle 8: ct state established, related accept", Rule(8).Label);
        Assert.Equal("tcp flags & (syn | ack) == syn tcp dport 9001 drop", Rule("tcp flags").Text);
        Assert.Equal("tcp dport 22 ct state new add @meter4 { ip saddr limit rate over 3/minute } drop", Rule("tcp dport 22 ct").Text);
        Assert.Equal("socket transparent 1 accept", Rule("socket").Text);
        Assert.Equal("iifname \"eth*\" tcp dport 7 drop", Rule("iifname \"eth*\"").Text);
        Assert.Equal("ip saddr != 10.0.0.0/8 tcp dport { 100, 200-300 } reject with tcp reset", Rule("ip saddr != 10.0.0.0/8").Text);
        Assert.Equal("tcp dport 7777 drop comment \"hello world\"", Rule("tcp dport 7777").Text);
        Assert.Equal("hello world", Rule("tcp dport 7777").Comment);
        Assert.Equal(5, Rule("tcp dport 7777").Packets);
    }

    [Theory]
    [InlineData("iifname \"lo\" accept", "203.0.113.1", 1, "lo", MatchResult.Yes)]
    [InlineData("iifname \"eth*\"", "203.0.113.1", 7, "eth0", MatchResult.Yes)]
    [InlineData("iifname \"eth*\"", "203.0.113.1", 7, "wlan0", MatchResult.No)]
    [InlineData("meta l4proto { tcp, udp } th dport 53", "203.0.113.1", 53, "eth0", MatchResult.Yes)]
    [InlineData("ip saddr @allowed4 tcp dport @ports", "192.168.1.5", 1500, "eth0", MatchResult.Yes)]
    [InlineData("ip saddr @allowed4 tcp dport @ports", "203.0.113.1", 1500, "eth0", MatchResult.No)]
    [InlineData("ip saddr @allowed4 tcp dport @ports", "10.9.9.9", 2001, "eth0", MatchResult.No)]
    [InlineData("ip saddr != 10.0.0.0/8", "203.0.113.1", 250, "eth0", MatchResult.Yes)]
    [InlineData("ip saddr != 10.0.0.0/8", "10.1.2.3", 250, "eth0", MatchResult.No)]
    [InlineData("ip6 saddr @v6", "203.0.113.1", 1, "eth0", MatchResult.No)]
    [InlineData("tcp flags & (syn | ack) == syn", "203.0.113.1", 9001, "eth0", MatchResult.Yes)]
    [InlineData("ip saddr . tcp dport", "10.1.1.1", 80, "eth0", MatchResult.Yes)]
    [InlineData("ip saddr . tcp dport", "10.1.1.1", 81, "eth0", MatchResult.No)]
    [InlineData("fib daddr type local", "203.0.113.1", 9500, "eth0", MatchResult.Yes)]
    [InlineData("icmp type echo-request", "203.0.113.1", 1, "eth0", MatchResult.No)]
    [InlineData("tcp dport 1234 limit rate over", "203.0.113.1", 1234, "eth0", MatchResult.No)]
    [InlineData("tcp dport 22 ct state new", "203.0.113.1", 22, "eth0", MatchResult.No)]
    [InlineData("meta mark 1", "203.0.113.1", 1, "eth0", MatchResult.No)]
    [InlineData("tcp dport < 1024 ip daddr 192.0.2.1", "203.0.113.1", 80, "eth0", MatchResult.No)]
    [InlineData("socket transparent", "203.0.113.1", 80, "eth0", MatchResult.No)] // the port's own listener is not transparent
    [InlineData("ct status dnat", "203.0.113.1", 80, "eth0", MatchResult.No)]
    public void Compiles_matches_that_decide_as_the_kernel_does(string rule, string source, int port, string inInterface, MatchResult expected)
    {
        var packet = Packets.Syn(source, "10.77.0.1", port, inInterface);
        Assert.Equal(expected, Rule(rule).Evaluate(packet));
    }

    [Fact]
    public void Compiles_verdicts_maps_nat_and_side_effects()
    {
        Assert.Equal(RuleAction.Jump("sub"), Rule("tcp dport 8000-8100").Action);
        Assert.Equal(RuleAction.Goto("sub"), Rule("tcp dport 9000 goto").Action);
        Assert.Equal("icmpx admin-prohibited", Rule("udp dport 443").Action.Detail);
        Assert.Equal("tcp reset", Rule("ip saddr != 10.0.0.0/8").Action.Detail);
        var vmap = Rule("tcp dport vmap").Action;
        Assert.Equal(RuleActionKind.VerdictMap, vmap.Kind);
        Assert.Equal([RuleActionKind.Accept, RuleActionKind.Drop, RuleActionKind.Jump], vmap.Map!.Entries.Select(e => e.Action.Kind));
        var zones = Rule("iifname vmap @zones").Action.Map!;
        Assert.Equal(2, zones.Entries.Count);
        Assert.Equal(new MarkChange(2, uint.MaxValue), Rule("tcp dport 6667").Mark);
        Assert.True(Rule("tcp dport 6668").SetsNotrack);
        Assert.Equal(RuleActionKind.Continue, Rule("tcp dport 6666").Action.Kind);

        var nat = Table(TableFamily.Ip, "nat").Chains["pre"].Rules;
        Assert.Equal(("10.0.0.2", 80), (nat[0].Action.NatAddress!.ToString(), nat[0].Action.NatPort!.Value));
        Assert.Equal((RuleActionKind.Redirect, 80), (nat[1].Action.Kind, nat[1].Action.NatPort!.Value));
        Assert.Equal(("10.0.0.3", (int?)null), (nat[2].Action.NatAddress!.ToString(), nat[2].Action.NatPort));
    }

    [Theory]
    [InlineData("this is not json", "not valid JSON")]
    [InlineData("{\"nftables\": [{\"table\": {\"family\": \"ip\", \"name\": \"filter\"", "not valid JSON")]
    [InlineData("{\"foo\": 1}", "document: expected an object with an \"nftables\" array")]
    [InlineData("{\"nftables\": [1]}", "nftables[0]: expected an object")]
    [InlineData("{\"nftables\": [{\"table\": {\"name\": \"filter\"}}]}", "nftables[0]: missing string \"family\"")]
    [InlineData("{\"nftables\": [{\"table\": {\"family\": \"ipx\", \"name\": \"f\"}}]}", "nftables[0]: unknown table family: 'ipx'")]
    [InlineData("{\"nftables\": [{\"chain\": {\"family\": \"ip\", \"table\": \"t\", \"name\": \"c\"}}]}", "nftables[0]: object of a table not in the dump")]
    [InlineData("{\"nftables\": [{\"table\": {\"family\": \"ip\", \"name\": \"t\"}}, {\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"c\", \"expr\": []}}]}", "nftables[1]: rule of a chain not in the dump: 'c'")]
    [InlineData("{\"nftables\": [{\"table\": {\"family\": \"ip\", \"name\": \"t\"}}, {\"chain\": {\"family\": \"ip\", \"table\": \"t\", \"name\": \"c\"}}, {\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"c\", \"expr\": [{\"jump\": {\"target\": \"x\"}}]}}]}", "nftables[2]: jump/goto to a chain not in the dump: 'x'")]
    [InlineData("{\"nftables\": [{\"table\": {\"family\": \"ip\", \"name\": \"t\"}}, {\"chain\": {\"family\": \"ip\", \"table\": \"t\", \"name\": \"c\", \"hook\": \"input\"}}]}", "nftables[1]: base chain without a numeric \"prio\"")]
    public void Garbage_is_a_clear_error_naming_source_place_and_value(string json, string expected)
    {
        var e = Assert.Throws<FirewallParseException>(() => NftJsonParser.Parse(json));
        Assert.StartsWith("nft -j list ruleset: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"nftables\": []} trailing")]
    [InlineData("{\"nftables\": []}{}")]
    public void Anything_after_the_document_is_a_parse_error(string json)
    {
        var e = Assert.Throws<FirewallParseException>(() => NftJsonParser.Parse(json));
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_compile_the_same_when_their_sets_and_maps_are_listed_after_them()
    {
        // The captured dump lists each set before the rules; nothing in the schema promises that order.
        var json = Fixtures.Read("parser-coverage", "nft.json");
        var items = JsonNode.Parse(json)!["nftables"]!.AsArray();
        var reordered = new JsonArray();
        foreach (var item in items.Where(i => i!["set"] is null && i["map"] is null).Concat(items.Where(i => i!["set"] is not null || i["map"] is not null)).ToList())
        {
            reordered.Add(item!.DeepClone());
        }

        Assert.Contains(items, i => i!["set"] is not null);
        var moved = NftJsonParser.Parse(new JsonObject { ["nftables"] = reordered }.ToJsonString());

        static IEnumerable<string> Describe(NftRuleset r) => r.Tables.SelectMany(t => t.Chains.Values.SelectMany(c => c.Rules.Select(rule =>
            $"{t.Family} {t.Name} {c.Name} {rule.Label} {rule.Action.Kind} {rule.Action.Map?.Entries.Count} {rule.UnknownReason}")));
        Assert.Equal(Describe(Coverage), Describe(moved));
    }

    [Fact]
    public void Nesting_beyond_the_depth_limit_is_a_parse_error()
    {
        var deep = new StringBuilder("{\"nftables\": ");
        deep.Append('[', 10_000).Append(']', 10_000).Append('}');
        Assert.Throws<FirewallParseException>(() => NftJsonParser.Parse(deep.ToString()));
    }

    [Fact]
    public void A_dump_cut_anywhere_fails_with_a_parse_error_only()
    {
        var json = Fixtures.Read("parser-coverage", "nft.json");
        for (var cut = 0; cut < json.Length - 1; cut += 13)
        {
            Assert.Throws<FirewallParseException>(() => NftJsonParser.Parse(json[..cut]));
        }
    }

    [Fact]
    public void An_enormous_dump_is_refused_at_the_rule_cap()
    {
        var json = Fixtures.Read("counters", "nft.json");
        var e = Assert.Throws<FirewallParseException>(() => NftJsonParser.Parse(json, maxRules: 1));
        Assert.Contains("more than 1 rules", e.Message, StringComparison.Ordinal);
    }
}
