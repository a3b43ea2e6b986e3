using System.Text.Json;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Baseline;

/// <summary>
/// A set's members on a real namespace: an address added to an allowlist (an nft named set, an ipset) changes no
/// rule and, for the outside source, no verdict, yet it is a change of what the firewall lets in: the ruleset's
/// fingerprint moves, <c>baseline --check</c> names the set, and the timeline records a firewall event naming it.
/// </summary>
public sealed class SetMembersNamespaceTests
{
    [Fact]
    public async Task An_address_added_to_an_nft_allowlist_set_is_drift_and_a_firewall_event_naming_the_set()
    {
        using var lab = new Lab();
        lab.Ns.Exec("nft", "-f", lab.Dir.File("allow.nft", """
            table inet pe_hist {
              set allowlist {
                type ipv4_addr
                elements = { 10.93.0.254 }
              }
              chain input {
                type filter hook input priority 0; policy accept;
                tcp dport 8080 ip saddr != @allowlist drop
              }
            }
            """));
        var baseline = lab.Baseline("set.yml");
        Assert.Equal(File.ReadAllBytes(baseline), File.ReadAllBytes(lab.Baseline("again.yml")));
        Assert.Contains("  sets:\n  - set: inet pe_hist allowlist\n    sha256: ", File.ReadAllText(baseline), StringComparison.Ordinal);
        Assert.Contains("    elements: 1\n", File.ReadAllText(baseline), StringComparison.Ordinal);

        using (var exporter = new RunningExporter(lab.Ns, ["--config.file", lab.Config]))
        {
            await exporter.WarmUpAsync();
            var (report, from, by) = await ChangeAsync(exporter, () => lab.Ns.Exec("nft", "add", "element", "inet", "pe_hist", "allowlist", "{ 192.0.2.7 }"));
            var change = Assert.Single(Changes(WebPort(report)), c => c.Evidence == "firewall");
            Assert.StartsWith("set inet pe_hist allowlist members changed: 1 -> 2 elements; ruleset generation ", change.Summary, StringComparison.Ordinal);
            Assert.InRange(change.At, from, by);
        }

        var drift = lab.Check(baseline);
        Assert.Equal(1, drift.ExitCode);
        Assert.Matches(@"\nhost: ruleset nftables changed: 1 rules, sha256 [0-9a-f]{12} -> 1 rules, sha256 [0-9a-f]{12}; set inet pe_hist allowlist 1 -> 2 elements \(sha256 [0-9a-f]{12} -> [0-9a-f]{12}\)\n", "\n" + drift.Stdout);
        Assert.DoesNotContain("verdict", drift.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_added_to_an_ipset_allowlist_is_drift_and_a_firewall_event_naming_the_set()
    {
        using var lab = new Lab();
        lab.Ns.Exec("ipset", "create", "pe_hist_allow", "hash:ip");
        lab.Ns.Exec("ipset", "add", "pe_hist_allow", "10.93.0.254");
        lab.Ns.Exec("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-m", "set", "!", "--match-set", "pe_hist_allow", "src", "-j", "DROP");
        var baseline = lab.Baseline("ipset.yml");
        Assert.Equal(File.ReadAllBytes(baseline), File.ReadAllBytes(lab.Baseline("again.yml")));
        Assert.Contains("- backend: ipset\n", File.ReadAllText(baseline), StringComparison.Ordinal);
        Assert.Contains("  - set: pe_hist_allow\n", File.ReadAllText(baseline), StringComparison.Ordinal);

        // ipset changes move no generation id: the snapshot is refreshed on the interval, 1 s here.
        var config = lab.Dir.File("refresh.yml", File.ReadAllText(lab.Config).TrimEnd() + "\nfirewall:\n  refresh_interval: 1s\n");
        using (var exporter = new RunningExporter(lab.Ns, ["--config.file", config]))
        {
            await exporter.WarmUpAsync();
            await exporter.NextScrapeAsync("/diagnose?format=json");
            var from = DateTimeOffset.UtcNow;
            lab.Ns.Exec("ipset", "add", "pe_hist_allow", "192.0.2.7");
            var report = (await exporter.ReadUntilAsync(
                body => Changes(WebPort(body)).Any(c => c.Evidence == "firewall"), "the set's new member in the timeline", "/diagnose?format=json")).Body;
            var change = Changes(WebPort(report)).First(c => c.Evidence == "firewall");
            Assert.Equal("set pe_hist_allow members changed: 1 -> 2 elements", change.Summary);
            Assert.True(change.At >= from, $"{change.At:O} is before the change at {from:O}");
        }

        var drift = lab.Check(baseline);
        Assert.Equal(1, drift.ExitCode);
        Assert.Matches(@"\nhost: ipset changed: set pe_hist_allow 1 -> 2 elements \(sha256 [0-9a-f]{12} -> [0-9a-f]{12}\)\n", "\n" + drift.Stdout);
        Assert.DoesNotContain("verdict", drift.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Takes a report, makes the change, and takes the report that sees it.</summary>
    private static async Task<(string Report, DateTimeOffset ChangedFrom, DateTimeOffset AnsweredBy)> ChangeAsync(RunningExporter exporter, Action change)
    {
        await exporter.NextScrapeAsync("/diagnose?format=json");
        var from = DateTimeOffset.UtcNow;
        change();
        var report = (await exporter.NextScrapeAsync("/diagnose?format=json")).Body;
        return (report, from, DateTimeOffset.UtcNow);
    }

    private static JsonElement WebPort(string report)
    {
        using var json = JsonDocument.Parse(report);
        return json.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == 8080).Clone();
    }

    private static List<Change> Changes(JsonElement port) =>
        [.. port.GetProperty("timeline").GetProperty("recent").EnumerateArray().Select(c => new Change(
            c.GetProperty("at").GetDateTimeOffset(), c.GetProperty("evidence").GetString()!, c.GetProperty("summary").GetString()!))];

    private sealed record Change(DateTimeOffset At, string Evidence, string Summary);

    /// <summary>The web service lab, with the baseline verb.</summary>
    private sealed class Lab() : WebServiceLab("histset", 93, "pe-hist-web")
    {
        public string Baseline(string name)
        {
            var path = System.IO.Path.Combine(Dir.Path, name);
            var result = Ns.ExecAllowFailure(ExporterBinary.Command("baseline", "--config.file", Config, "--output", path));
            Assert.True(result.ExitCode == 0, $"baseline exited {result.ExitCode}: {result.Stderr}");
            return path;
        }

        public Shell.Result Check(string file) => Ns.ExecAllowFailure(ExporterBinary.Command("baseline", "--config.file", Config, "--check", file));
    }
}
