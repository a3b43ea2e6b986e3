using System.Text.Json;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// The legacy x_tables change token on a real namespace (iptables-legacy): <c>IPT_SO_GET_INFO</c> per listed table,
/// read in the namespace, moved by a rule added or deleted, not by traffic, and never creating a table.
/// </summary>
public sealed class LegacyChangeSignalTests
{
    [Fact]
    public void The_legacy_token_moves_with_a_rule_added_or_deleted_and_not_with_traffic()
    {
        using var ns = new Netns("histlegacy");
        var signal = new LegacyTablesSignal();

        // No legacy table: no token, and asking created none.
        Assert.Null(NetnsSocket.RunIn(ns.Name, signal.Read));
        Assert.Empty(ns.Exec("cat", "/proc/net/ip_tables_names").Stdout.Trim());

        ns.Exec("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "ACCEPT");
        ns.Exec("ip6tables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "ACCEPT");
        var first = NetnsSocket.RunIn(ns.Name, signal.Read);
        Assert.NotNull(first);
        Assert.Equal(first, NetnsSocket.RunIn(ns.Name, signal.Read));

        // Refused connections move the rule's counters, not the token; only the filter tables exist, as before.
        ns.ExecAllowFailure("curl", "-s", "-m", "2", "http://127.0.0.1:8080/");
        Assert.NotEqual("0", ns.Exec("iptables-legacy", "-L", "INPUT", "-v", "-n", "-x").Stdout.Split('\n')[2].Trim().Split(' ')[0]);
        Assert.Equal(first, NetnsSocket.RunIn(ns.Name, signal.Read));
        Assert.Equal("filter", ns.Exec("cat", "/proc/net/ip_tables_names").Stdout.Trim());
        Assert.Equal("filter", ns.Exec("cat", "/proc/net/ip6_tables_names").Stdout.Trim());

        ns.Exec("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        var added = NetnsSocket.RunIn(ns.Name, signal.Read);
        ns.Exec("ip6tables-legacy", "-D", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "ACCEPT");
        var deleted = NetnsSocket.RunIn(ns.Name, signal.Read);
        Assert.NotEqual(first, added);
        Assert.NotEqual(added, deleted);
        Assert.NotNull(deleted);
    }

    [Theory]
    [InlineData(41UL, 42UL, "ruleset generation 41 -> 42")]
    [InlineData((7UL << 32) | 41, (9UL << 32) | 41, "legacy tables changed")]
    [InlineData(41UL, (9UL << 32) | 42, "ruleset generation 41 -> 42; legacy tables changed")]
    public void The_token_says_which_signal_moved(ulong before, ulong after, string expected)
    {
        Assert.Equal(expected, RulesetChangeSignal.Describe(before, after));
        Assert.Equal((9UL << 32) | 42, RulesetChangeSignal.Token(42, 9));
        Assert.Null(RulesetChangeSignal.Token(null, null));
    }

    [Fact]
    public async Task A_legacy_drop_rule_shows_in_the_verdict_and_the_timeline_of_the_scrape_after_it()
    {
        using var lab = new WebServiceLab("histlg", 94, "pe-hist-lg");
        lab.Ns.Exec("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        using var exporter = new RunningExporter(lab.Ns, ["--config.file", lab.Config]);
        await exporter.WarmUpAsync();

        // The refresh interval is the default 30 s: only the change signal can bring the rule into the next scrape.
        await exporter.NextScrapeAsync("/diagnose?format=json");
        var from = DateTimeOffset.UtcNow;
        lab.Ns.Exec("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        var report = (await exporter.NextScrapeAsync("/diagnose?format=json")).Body;
        var by = DateTimeOffset.UtcNow;

        using var json = JsonDocument.Parse(report);
        var port = json.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == 8080);
        Assert.Equal("firewall_blocked", port.GetProperty("cause").GetString());
        var change = port.GetProperty("timeline").GetProperty("before_failure").EnumerateArray()
            .Single(c => c.GetProperty("evidence").GetString() == "firewall");
        Assert.Matches("^outside accept -> drop \\(rule `[^`]*--dport 8080 -j DROP` added\\)", change.GetProperty("summary").GetString());
        Assert.EndsWith("; legacy tables changed", change.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.InRange(change.GetProperty("at").GetDateTimeOffset(), from, by);
    }
}
