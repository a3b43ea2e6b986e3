using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary>
/// <c>-m recent</c> as captured (fixtures/recent-fresh-source, whose verdicts the ground-truth test checks against
/// real connections): what a fresh client meets, rule after rule of one walk sharing its packet.
/// </summary>
public sealed class RecentModuleTests
{
    private static readonly IReadOnlyList<FirewallRule> Input =
        IptablesSaveParser.Parse(Fixtures.Read("recent-fresh-source", "iptables-nft-save.txt"), FirewallBackends.IptablesNft, 4, "test")
            .Single(t => t.Name == "filter").Chains["INPUT"].Rules;

    /// <summary>The answers of the rules for <paramref name="port"/>, in order, for one packet walking them.</summary>
    private static MatchResult[] Walk(int port, string source = "203.0.113.1")
    {
        var packet = Packets.Syn(source, "10.77.0.1", port);
        return [.. Input.Where(r => r.Text.Contains($"--dport {port} ", StringComparison.Ordinal)).Select(r => r.Evaluate(packet))];
    }

    [Fact]
    public void Every_recent_rule_of_the_capture_is_understood_with_its_options()
    {
        Assert.All(Input, r => Assert.Null(r.UnknownReason));
        var update = Assert.IsType<RecentMatch>(Input[4].Matches[^1]);
        Assert.Equal(new RecentOptions(RecentCommand.Update, false, "ssh", uint.MaxValue, Seconds: 60, HitCount: 4), update.Options);
        Assert.True(Assert.IsType<RecentMatch>(Input[6].Matches[^1]).Options.Negate);
        Assert.True(Assert.IsType<RecentMatch>(Input[7].Matches[^1]).Options.Destination);
    }

    [Fact]
    public void A_fresh_client_is_in_no_list_so_a_check_or_remove_does_not_match_and_a_negated_check_does() =>
        Assert.Equal([MatchResult.No, MatchResult.No, MatchResult.Yes], [Walk(8080)[0], Walk(8083)[0], Walk(8084)[0]]);

    [Fact]
    public void A_set_matches_and_the_rules_after_it_see_the_entry_with_one_hit()
    {
        Assert.Equal([MatchResult.Yes, MatchResult.Yes], Walk(8081)); // --rcheck --seconds 60 after --set: found
        Assert.Equal([MatchResult.Yes, MatchResult.No], Walk(8082)); // --hitcount 4 after one --set: too few hits
    }

    [Fact]
    public void Rdest_records_the_destination_which_a_source_check_finds_only_when_it_is_the_same_address()
    {
        Assert.Equal([MatchResult.Yes, MatchResult.No], Walk(8085));
        Assert.Equal([MatchResult.Yes, MatchResult.Yes], Walk(8085, source: "10.77.0.1"));
    }

    [Fact]
    public void A_walk_does_not_see_the_entries_of_another()
    {
        Walk(8081);
        Assert.Equal(MatchResult.No, Input[2].Evaluate(Packets.Syn("203.0.113.1", "10.77.0.1", 8081)));
    }

    [Fact]
    public void An_entry_a_set_may_or_may_not_have_made_is_unknown_to_the_rules_after_it()
    {
        var packet = Packets.Syn("203.0.113.1", "10.77.0.1", 8081);
        var set = new RecentMatch(new RecentOptions(RecentCommand.Set, false, "l"), [new UnknownMatch("-m string --string GET")]);
        Assert.Equal(MatchResult.Yes, set.Evaluate(packet));
        Assert.Equal(MatchResult.Unknown, new RecentMatch(new RecentOptions(RecentCommand.Check, false, "l"), []).Evaluate(packet));
        Assert.Equal(MatchResult.No, new RecentMatch(new RecentOptions(RecentCommand.Check, false, "other"), []).Evaluate(packet));
    }

    [Fact]
    public void An_update_that_matches_adds_a_hit_and_a_remove_takes_the_entry_away()
    {
        var packet = Packets.Syn("203.0.113.1", "10.77.0.1", 22);
        static RecentMatch Recent(RecentCommand command, uint hits = 0) => new(new RecentOptions(command, false, "l", HitCount: hits), []);
        Assert.Equal(MatchResult.Yes, Recent(RecentCommand.Set).Evaluate(packet));
        Assert.Equal(MatchResult.No, Recent(RecentCommand.Check, hits: 2).Evaluate(packet));
        Assert.Equal(MatchResult.Yes, Recent(RecentCommand.Update).Evaluate(packet));
        Assert.Equal(MatchResult.Yes, Recent(RecentCommand.Check, hits: 2).Evaluate(packet));
        Assert.Equal(MatchResult.Yes, Recent(RecentCommand.Remove).Evaluate(packet));
        Assert.Equal(MatchResult.No, Recent(RecentCommand.Check).Evaluate(packet));
    }
}
