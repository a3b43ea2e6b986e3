using System.Text.Json;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>Each family of nft statements on its own: what one statement in a rule's <c>expr</c> array makes of the rule.</summary>
public sealed class NftStatementsTests
{
    private static NftRuleCompiler Compile(string statement)
    {
        using var doc = JsonDocument.Parse($"[{statement}]");
        return NftRuleCompiler.Compile(doc.RootElement.Clone(), TableFamily.Inet, new Dictionary<string, NftSetDefinition>());
    }

    [Theory]
    [InlineData("""{"accept":null}""", RuleActionKind.Accept, null)]
    [InlineData("""{"drop":null}""", RuleActionKind.Drop, null)]
    [InlineData("""{"return":null}""", RuleActionKind.Return, null)]
    [InlineData("""{"continue":null}""", RuleActionKind.Continue, null)]
    [InlineData("""{"jump":{"target":"web"}}""", RuleActionKind.Jump, "web")]
    [InlineData("""{"goto":{"target":"web"}}""", RuleActionKind.Goto, "web")]
    public void Verdicts(string statement, RuleActionKind kind, string? target)
    {
        var action = Compile(statement).Action;
        Assert.Equal((kind, target), (action.Kind, action.Target));
    }

    [Fact]
    public void A_jump_without_target_is_unknown()
    {
        var action = Compile("""{"jump":{}}""").Action;
        Assert.Equal((RuleActionKind.Unknown, "jump without target"), (action.Kind, action.Detail));
    }

    [Theory]
    [InlineData("""{"reject":{"type":"tcp reset"}}""", RuleActionKind.Reject)]
    [InlineData("""{"dnat":{"addr":"10.0.0.2","port":80}}""", RuleActionKind.DestinationNat)]
    [InlineData("""{"redirect":{"port":9090}}""", RuleActionKind.Redirect)]
    [InlineData("""{"snat":{"addr":"192.0.2.1"}}""", RuleActionKind.SourceNat)]
    [InlineData("""{"masquerade":null}""", RuleActionKind.SourceNat)]
    public void Reject_and_nat(string statement, RuleActionKind kind) => Assert.Equal(kind, Compile(statement).Action.Kind);

    [Theory]
    [InlineData("queue")]
    [InlineData("fwd")]
    [InlineData("tproxy")]
    [InlineData("synproxy")]
    public void Statements_that_hand_the_packet_elsewhere_are_unknown_actions(string name)
    {
        var action = Compile($$$"""{"{{{name}}}":{}}""").Action;
        Assert.Equal((RuleActionKind.Unknown, $"{name} statement"), (action.Kind, action.Detail));
    }

    [Theory]
    [InlineData("log")]
    [InlineData("ct helper")]
    [InlineData("secmark")]
    public void Statements_that_change_no_path_change_nothing(string name)
    {
        var rule = Compile($$$"""{"{{{name}}}":{}}""");
        Assert.Equal(RuleAction.Continue, rule.Action);
        Assert.Empty(rule.Matches);
    }

    [Fact]
    public void Counters_limits_and_notrack()
    {
        var counted = Compile("""{"counter":{"packets":3,"bytes":9}}""");
        Assert.Equal((3L, 9L), (counted.Packets, counted.Bytes));
        var over = Compile("""{"limit":{"rate":5,"per":"second","inv":true}}""");
        Assert.Equal(MatchResult.No, Assert.Single(over.Matches).Evaluate(Packets.Syn("203.0.113.1", "10.77.0.1", 8080)));
        Assert.True(Compile("""{"notrack":null}""").SetsNotrack);
    }

    [Fact]
    public void An_unknown_statement_is_an_unknown_match_naming_it()
    {
        var rule = Compile("""{"bogus":{}}""");
        Assert.Equal("statement bogus", Assert.Single(rule.Matches).UnknownReason);
    }
}
