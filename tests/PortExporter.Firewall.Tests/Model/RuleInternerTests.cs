using System.Text.Json;
using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>Equal parts of rules are shared within one parse, and only equal ones.</summary>
public sealed class RuleInternerTests
{
    private static FieldMatch Port(int port, bool negate = false) => new(PacketField.DestinationPort, new NumericValues(IntervalSet.One((UInt128)port)), negate);

    [Fact]
    public void Equal_field_matches_are_shared_and_different_ones_are_not()
    {
        var interner = new RuleInterner();
        var first = interner.Match(Port(443));
        Assert.Same(first, interner.Match(Port(443)));
        Assert.Same(first, interner.Match(new FieldMatch(PacketField.DestinationPort, new NumericValues(IntervalSet.Of([(443, 443)])))));
        Assert.NotSame(first, interner.Match(Port(443, negate: true)));
        Assert.NotSame(first, interner.Match(Port(444)));
        Assert.NotSame(first, interner.Match(new FieldMatch(PacketField.SourcePort, new NumericValues(IntervalSet.One(443)))));

        // The same number as an address of another IP version is another value.
        var v4 = interner.Match(new FieldMatch(PacketField.SourceAddress, new NumericValues(IntervalSet.One(1), 4)));
        Assert.NotSame(v4, interner.Match(new FieldMatch(PacketField.SourceAddress, new NumericValues(IntervalSet.One(1), 6))));
        Assert.Same(v4, interner.Match(new FieldMatch(PacketField.SourceAddress, new NumericValues(IntervalSet.One(1), 4))));

        var states = interner.Match(new FieldMatch(PacketField.ConntrackState, new ConntrackStateValues(ConntrackStates.Established | ConntrackStates.Related)));
        Assert.Same(states, interner.Match(new FieldMatch(PacketField.ConntrackState, new ConntrackStateValues(ConntrackStates.Related | ConntrackStates.Established))));
        Assert.NotSame(states, interner.Match(new FieldMatch(PacketField.ConntrackState, new ConntrackStateValues(ConntrackStates.Established))));

        var lo = interner.Match(new FieldMatch(PacketField.InInterface, new InterfaceValues(["lo"])));
        Assert.Same(lo, interner.Match(new FieldMatch(PacketField.InInterface, new InterfaceValues(["lo"]))));
        Assert.NotSame(lo, interner.Match(new FieldMatch(PacketField.InInterface, new InterfaceValues(["lo+"]))));
        Assert.NotSame(lo, interner.Match(new FieldMatch(PacketField.OutInterface, new InterfaceValues(["lo"]))));
    }

    [Fact]
    public void Actions_marks_and_texts_are_shared_by_value()
    {
        var interner = new RuleInterner();
        var jump = interner.Action(RuleAction.Jump("KUBE-SVC-A"));
        Assert.Same(jump, interner.Action(RuleAction.Jump("KUBE-SVC-A")));
        Assert.NotSame(jump, interner.Action(RuleAction.Goto("KUBE-SVC-A")));
        Assert.Same(interner.Mark(new MarkChange(1, 0xff)), interner.Mark(new MarkChange(1, 0xff)));
        Assert.Null(interner.Mark(null));
        var comment = interner.Text(new string('c', 3));
        Assert.Same(comment, interner.Text(new string('c', 3)));
    }

    [Fact]
    public void Iptables_rules_of_one_dump_share_their_matches()
    {
        var dump = """
            *filter
            :INPUT DROP [0:0]
            [1:60] -A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 -m comment --comment "ssh" -j ACCEPT
            [2:120] -A INPUT -s 10.0.0.2/32 -p tcp -m tcp --dport 22 -m comment --comment "ssh" -j ACCEPT
            COMMIT
            """;
        var rules = IptablesSaveParser.Parse(dump, FirewallBackends.IptablesLegacy, 4, "test").Single().Chains["INPUT"].Rules;
        Assert.NotSame(rules[0].Matches[0], rules[1].Matches[0]);
        Assert.Equal(rules[0].Matches.Count, rules[1].Matches.Count);
        Assert.All(Enumerable.Range(1, rules[0].Matches.Count - 1), i => Assert.Same(rules[0].Matches[i], rules[1].Matches[i]));
        Assert.Same(rules[0].Comment, rules[1].Comment);
        Assert.Equal((1L, 2L), (rules[0].Packets, rules[1].Packets));
    }

    [Fact]
    public void Nft_protocol_dependencies_are_shared_even_without_an_interner()
    {
        const string Rule = """[{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]""";
        var sets = new Dictionary<string, NftSetDefinition>();
        using var a = JsonDocument.Parse(Rule);
        using var b = JsonDocument.Parse(Rule);
        var alone = NftRuleCompiler.Compile(a.RootElement, TableFamily.Inet, sets).Matches;
        var other = NftRuleCompiler.Compile(b.RootElement, TableFamily.Inet, sets).Matches;
        Assert.Same(alone[0], other[0]);
        Assert.NotSame(alone[1], other[1]);

        var interner = new RuleInterner();
        var shared = NftRuleCompiler.Compile(a.RootElement, TableFamily.Inet, sets, interner).Matches;
        Assert.Equal(shared, NftRuleCompiler.Compile(b.RootElement, TableFamily.Inet, sets, interner).Matches);
    }
}
