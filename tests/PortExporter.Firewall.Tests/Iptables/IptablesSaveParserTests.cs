using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

public sealed class IptablesSaveParserTests
{
    private static readonly IReadOnlyList<FirewallTable> Coverage =
        IptablesSaveParser.Parse(Fixtures.Read("parser-coverage", "iptables-nft-save.txt"), FirewallBackends.IptablesNft, 4, "test");

    private static FirewallRule Rule(string table, string chain, string textStart) =>
        Coverage.Single(t => t.Name == table).Chains[chain].Rules.Single(r => r.Text.StartsWith(textStart, StringComparison.Ordinal));

    [Fact]
    public void Reads_tables_builtin_chains_with_hooks_and_policies_and_user_chains()
    {
        Assert.Equal(["mangle", "raw", "filter", "nat"], Coverage.Select(t => t.Name));
        var filter = Coverage.Single(t => t.Name == "filter");
        Assert.All(Coverage, t => Assert.Equal(TableFamily.Ip, t.Family));
        Assert.Equal(new BaseChainHook(NetfilterHook.Input, 0, ChainType.Filter, true), filter.Chains["INPUT"].BaseHook);
        Assert.Null(filter.Chains["SUB"].BaseHook);
        Assert.Equal(2, filter.Chains["SUB"].Rules.Count);
        Assert.Equal(new BaseChainHook(NetfilterHook.Prerouting, -100, ChainType.Nat, false), Coverage.Single(t => t.Name == "nat").Chains["PREROUTING"].BaseHook);
        Assert.Equal(-300, Coverage.Single(t => t.Name == "raw").Chains["PREROUTING"].BaseHook!.Priority);
        Assert.Equal(-150, Coverage.Single(t => t.Name == "mangle").Chains["PREROUTING"].BaseHook!.Priority);
    }

    [Fact]
    public void Reads_rule_counters_and_labels()
    {
        var tables = IptablesSaveParser.Parse(Fixtures.Read("counters", "iptables-nft-save.txt"), FirewallBackends.IptablesNft, 4, "test");
        var rule = tables.Single().Chains["INPUT"].Rules.Single();
        Assert.True(rule.Packets >= 3, $"packets {rule.Packets}");
        Assert.True(rule.Bytes > 0);
        Assert.Equal("rule 1: -A INPUT -p tcp -m tcp --dport 8080 -j DROP", rule.Label);
    }

    [Theory]
    [InlineData("-A INPUT ! -i eth+ -p tcp -m tcp --dport 81", "eth0", 81, MatchResult.No)]
    [InlineData("-A INPUT ! -i eth+ -p tcp -m tcp --dport 81", "lo", 81, MatchResult.Yes)]
    [InlineData("-A INPUT -s 10.0.0.0/8 -d 192.168.1.1/32", "eth0", 82, MatchResult.No)]
    [InlineData("-A INPUT ! -s 10.0.0.0/8 -p tcp -m tcp --dport 83:85", "eth0", 84, MatchResult.Yes)]
    [InlineData("-A INPUT ! -s 10.0.0.0/8 -p tcp -m tcp --dport 83:85", "eth0", 86, MatchResult.No)]
    [InlineData("-A INPUT -p tcp -m multiport --dports 86,87,90:92", "eth0", 91, MatchResult.Yes)]
    [InlineData("-A INPUT -p tcp -m multiport --dports 86,87,90:92", "eth0", 89, MatchResult.No)]
    [InlineData("-A INPUT -p tcp -m conntrack --ctstate NEW,UNTRACKED -m tcp --dport 88", "eth0", 88, MatchResult.Yes)]
    [InlineData("-A INPUT -p tcp -m tcp --sport 1024:65535 --dport 89", "eth0", 89, MatchResult.Yes)]
    [InlineData("-A INPUT -p icmp -m icmp --icmp-type 8", "eth0", 8, MatchResult.No)]
    [InlineData("-A INPUT -p tcp -m tcp --dport 93 --tcp-flags FIN,SYN,RST,ACK SYN", "eth0", 93, MatchResult.Yes)]
    [InlineData("-A INPUT -p tcp -m tcp --dport 94 --tcp-flags SYN,RST,ACK SYN", "eth0", 94, MatchResult.Yes)]
    [InlineData("-A INPUT -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 95", "eth0", 95, MatchResult.Yes)]
    [InlineData("-A INPUT -m mark --mark 0x1", "eth0", 1, MatchResult.No)]
    [InlineData("-A INPUT -m iprange --src-range 10.1.1.1-10.1.1.9", "eth0", 1, MatchResult.No)]
    [InlineData("-A INPUT -p tcp -m tcp --dport 96", "eth0", 96, MatchResult.Yes)]
    [InlineData("-A INPUT -p tcp -m tcp --dport 97 -m recent", "eth0", 97, MatchResult.No)] // --rcheck: a fresh client is in no list
    [InlineData("-A INPUT -p tcp -m tcp --dport 100 -m hashlimit --hashlimit-above", "eth0", 100, MatchResult.No)]
    public void Compiles_matches_that_decide_as_the_kernel_does(string rule, string inInterface, int port, MatchResult expected)
    {
        var packet = Packets.Syn("203.0.113.1", "10.77.0.1", port, inInterface);
        Assert.Equal(expected, Rule("filter", "INPUT", rule).Evaluate(packet));
    }

    [Fact]
    public void Udp_multiport_negation_and_state_rules()
    {
        var rule = Rule("filter", "INPUT", "-A INPUT -p udp -m multiport ! --dports 86,87");
        Assert.Equal(MatchResult.Yes, rule.Evaluate(Packets.Syn("203.0.113.1", "10.77.0.1", 88, udp: true)));
        Assert.Equal(MatchResult.No, rule.Evaluate(Packets.Syn("203.0.113.1", "10.77.0.1", 86, udp: true)));
        Assert.Equal(MatchResult.No, rule.Evaluate(Packets.Syn("203.0.113.1", "10.77.0.1", 88)));
        Assert.Equal(MatchResult.No, Rule("filter", "INPUT", "-A INPUT -m state --state RELATED,ESTABLISHED").Evaluate(Packets.Syn("203.0.113.1", "10.77.0.1", 1)));
    }

    [Fact]
    public void Compiles_targets()
    {
        var reject = Rule("filter", "INPUT", "-A INPUT ! -s 10.0.0.0/8");
        Assert.Equal(RuleActionKind.Reject, reject.Action.Kind);
        Assert.Equal("tcp-reset", reject.Action.Detail);
        Assert.Equal(RuleAction.Goto("SUB"), Rule("filter", "INPUT", "-A INPUT -p tcp -m tcp --sport").Action);
        Assert.Equal(RuleAction.Jump("SUB"), Rule("filter", "INPUT", "-A INPUT -p tcp -m conntrack").Action);
        Assert.Equal(RuleAction.Return, Rule("filter", "SUB", "-A SUB -s 1.2.3.4/32").Action);
        Assert.True(Rule("filter", "INPUT", "-A INPUT -p tcp -m tcp --dport 93").IsInert);

        var dnat = Rule("nat", "PREROUTING", "-A PREROUTING -p tcp -m tcp --dport 8080").Action;
        Assert.Equal(RuleActionKind.DestinationNat, dnat.Kind);
        Assert.Equal("10.0.0.2", dnat.NatAddress!.ToString());
        Assert.Equal(80, dnat.NatPort);
        var redirect = Rule("nat", "PREROUTING", "-A PREROUTING -p tcp -m tcp --dport 8081").Action;
        Assert.Equal((RuleActionKind.Redirect, 80), (redirect.Kind, redirect.NatPort));
        Assert.Equal(RuleAction.Jump("DOCKER"), Rule("nat", "PREROUTING", "-A PREROUTING -m addrtype").Action);

        Assert.True(Rule("raw", "PREROUTING", "-A PREROUTING -p tcp -m tcp --dport 97").SetsNotrack);
        Assert.True(Rule("raw", "PREROUTING", "-A PREROUTING -p tcp -m tcp --dport 98").SetsNotrack);
        Assert.Equal(new MarkChange(1, 0xffffffff), Rule("mangle", "PREROUTING", "-A PREROUTING").Mark);
    }

    [Fact]
    public void Keeps_comments_with_escaped_quotes_and_reads_every_option_of_a_module()
    {
        var commented = Rule("filter", "INPUT", "-A INPUT -p tcp -m multiport");
        Assert.Equal("my \"quoted\" comment", commented.Comment);
        Assert.Equal("icmp-port-unreachable", commented.Action.Detail);
        var recent = Assert.IsType<RecentMatch>(Rule("filter", "INPUT", "-A INPUT -p tcp -m tcp --dport 97").Matches[^1]);
        Assert.Equal(new RecentOptions(RecentCommand.Check, false, "x", uint.MaxValue), recent.Options);
    }

    [Fact]
    public void Reads_ip6tables_and_legacy_dumps()
    {
        var v6 = IptablesSaveParser.Parse(Fixtures.Read("parser-coverage", "ip6tables-nft-save.txt"), FirewallBackends.Ip6tablesNft, 6, "test").Single();
        Assert.Equal(TableFamily.Ip6, v6.Family);
        var rules = v6.Chains["INPUT"].Rules;
        Assert.Equal(MatchResult.Yes, rules[0].Evaluate(Packets.Syn("2001:db8::1", "2001:db8:77::1", 22)));
        Assert.Equal(MatchResult.No, rules[0].Evaluate(Packets.Syn("2001:db9::1", "2001:db8:77::1", 22)));
        Assert.Equal("icmp6-adm-prohibited", rules[2].Action.Detail);

        var legacy = IptablesSaveParser.Parse(Fixtures.Read("parser-coverage", "iptables-legacy-save.txt"), FirewallBackends.IptablesLegacy, 4, "test").Single();
        Assert.Equal(FirewallBackends.IptablesLegacy, legacy.Backend);
        Assert.Equal(MatchResult.Yes, legacy.Chains["INPUT"].Rules.Single().Evaluate(Packets.Syn("203.0.113.1", "10.77.0.1", 8082)));
        Assert.Empty(IptablesSaveParser.Parse(string.Empty, FirewallBackends.IptablesLegacy, 4, "test"));
    }

    [Theory]
    [InlineData("hello world", "line 1: content outside a *table ... COMMIT block: 'hello world'")]
    [InlineData("*filter\n:INPUT ACCEPT [0:0]\n", "end of input: table 'filter' is not committed")]
    [InlineData("*filter\n:INPUT ACCEPT [x:0]\nCOMMIT\n", "line 2: bad chain counters: '[x:0]'")]
    [InlineData("*filter\n:INPUT MAYBE [0:0]\nCOMMIT\n", "line 2: bad chain policy: 'MAYBE'")]
    [InlineData("*filter\n:INPUT ACCEPT [0:0]\n[0:0] -A INPUT -m comment --comment \"open\nCOMMIT\n", "line 3: unclosed quote")]
    [InlineData("*filter\n:INPUT ACCEPT [0:0]\n[0:0] -A FOO -j DROP\nCOMMIT\n", "line 3: rule for undeclared chain 'FOO'")]
    [InlineData("*filter\n:INPUT ACCEPT [0:0]\n[0:0] -A INPUT -p\nCOMMIT\n", "line 3: '-p' needs a value")]
    [InlineData("*filter\n:INPUT ACCEPT [0:0]\n[0:0] -A INPUT --bogus 1 -j DROP\nCOMMIT\n", "line 3: unexpected argument '--bogus'")]
    [InlineData("*filter\n:INPUT ACCEPT [0:0]\n[1:2 -A INPUT -j DROP\nCOMMIT\n", "line 3: bad rule counters")]
    [InlineData("*filter\n*nat\n", "line 2: table 'filter' has no COMMIT before the next table")]
    [InlineData("\0\u0001\u0002", "binary data (NUL byte)")]
    public void Garbage_is_a_clear_error_naming_source_place_and_value(string text, string expected)
    {
        var e = Assert.Throws<FirewallParseException>(() => IptablesSaveParser.Parse(text, FirewallBackends.IptablesNft, 4, "iptables-nft-save -c"));
        Assert.StartsWith("iptables-nft-save -c: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dump_cut_anywhere_parses_or_fails_with_a_parse_error_only()
    {
        var text = Fixtures.Read("parser-coverage", "iptables-nft-save.txt");
        for (var cut = 0; cut < text.Length; cut += 7)
        {
            try
            {
                IptablesSaveParser.Parse(text[..cut], FirewallBackends.IptablesNft, 4, "test");
            }
            catch (FirewallParseException)
            {
            }
        }
    }

    [Fact]
    public void An_enormous_dump_is_refused_at_the_rule_cap()
    {
        var lines = Fixtures.Read("counters", "iptables-nft-save.txt").Split('\n');
        var rule = lines.Single(l => l.Contains("-A INPUT", StringComparison.Ordinal));
        var body = string.Join('\n', Enumerable.Repeat(rule, 5000));
        var text = string.Join('\n', lines.TakeWhile(l => !l.Contains("-A INPUT", StringComparison.Ordinal))) + "\n" + body + "\nCOMMIT\n";
        Assert.Equal(5000, IptablesSaveParser.Parse(text, FirewallBackends.IptablesNft, 4, "test").Single().Chains["INPUT"].Rules.Count);
        var e = Assert.Throws<FirewallParseException>(() => IptablesSaveParser.Parse(text, FirewallBackends.IptablesNft, 4, "test", maxRules: 1000));
        Assert.Contains("more than 1000 rules", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_break_inside_a_comment_as_iptables_save_prints_it_is_part_of_that_rule()
    {
        var input = IptablesSaveParser.Parse(Fixtures.Read("iptables-comment-newline", "iptables-nft-save.txt"), FirewallBackends.IptablesNft, 4, "test")
            .Single().Chains["INPUT"].Rules;

        Assert.Equal(3, input.Count);
        Assert.Equal("opened for\nchange 1234", input[0].Comment);
        Assert.Equal(RuleActionKind.Accept, input[0].Action.Kind);
        Assert.DoesNotContain('\n', input[0].Label);
        Assert.Equal("rule 1: -A INPUT -p tcp -m tcp --dport 8080 -m comment --comment \"opened for\\nchange 1234\" -j ACCEPT", input[0].Label);
        Assert.Equal([RuleActionKind.Drop, RuleActionKind.Drop], input.Skip(1).Select(r => r.Action.Kind));
        Assert.Equal([1, 2, 3], input.Select(r => r.Position));
    }

    [Fact]
    public void A_quote_that_never_closes_is_still_an_unclosed_quote_at_the_line_where_the_rule_starts()
    {
        var text = Fixtures.Read("iptables-comment-newline", "iptables-nft-save.txt").Replace("change 1234\"", "change 1234", StringComparison.Ordinal);
        var e = Assert.Throws<FirewallParseException>(() => IptablesSaveParser.Parse(text, FirewallBackends.IptablesNft, 4, "test"));
        Assert.Contains("line 6", e.Message, StringComparison.Ordinal);
        Assert.Contains("unclosed quote", e.Message, StringComparison.Ordinal);
    }
}
