using System.Globalization;
using System.Text.Json;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Timeline;

/// <summary>
/// The timeline on a real namespace: a web service on 0.0.0.0:8080 behind an outside link, real changes made between
/// two scrapes (a DROP rule added and removed, an nft table flushed, a restart, a restart on 127.0.0.1), each seen
/// in the timeline with its kind and a time between the change and the scrape that saw it.
/// </summary>
public sealed class TimelineNamespaceTests
{
    // iptables here is iptables-nft, which writes native nft expressions: the exporter reads the rule as nft prints it.
    private const string DropRule = "tcp dport 8080 drop";

    [Fact]
    public async Task Firewall_changes_are_in_the_timeline_and_under_the_broken_port()
    {
        using var lab = new Lab();
        using var exporter = new RunningExporter(lab.Ns, ["--config.file", lab.Config]);
        await exporter.WarmUpAsync();

        // A DROP rule pushed: the scrape that follows names it under the broken port, at a time between the push and its answer.
        var (added, pushed, answered) = await ChangeAsync(exporter, () => lab.Ns.Exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP"), "firewall");
        var port = WebPort(added);
        Assert.NotEqual("ok", port.GetProperty("cause").GetString());
        var change = Assert.Single(Changes(port, "before_failure"), c => c.Evidence == "firewall");
        Assert.StartsWith($"outside accept -> drop (rule `{DropRule}` added); inside accept -> drop (rule `{DropRule}` added); ruleset generation ", change.Summary, StringComparison.Ordinal);
        Assert.InRange(change.At, pushed, answered);
        Assert.Equal(change.At, port.GetProperty("timeline").GetProperty("broke_at").GetDateTimeOffset());

        var html = (await exporter.ReadAsync("/diagnose")).Body;
        Assert.Contains($"firewall changed at <time>{change.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z</time> (in the same collection): outside accept -&gt; drop (rule `{DropRule}` added)", html, StringComparison.Ordinal);
        var metrics = (await exporter.ReadAsync()).Body;
        Assert.Equal(change.At.ToUnixTimeMilliseconds() / 1000.0, Value(metrics, "port_evidence_last_change_timestamp_seconds", ("port", "8080"), ("evidence", "firewall")));
        Assert.Contains(Series(metrics, "port_diagnosis_last_change_timestamp_seconds"), s => s.Contains($"evidence=\"firewall\"", StringComparison.Ordinal) && s.Contains($"rule `{DropRule}` added", StringComparison.Ordinal));

        // Removed again: a firewall event of its own, the port ok, nothing listed as before a failure.
        var (removed, deleted, seen) = await ChangeAsync(exporter, () => lab.Ns.Exec("iptables", "-D", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP"), "firewall");
        port = WebPort(removed);
        var undone = Changes(port, "recent").First(c => c.Evidence == "firewall");
        Assert.Contains($"outside drop -> accept (rule `{DropRule}` removed, now ", undone.Summary, StringComparison.Ordinal);
        Assert.InRange(undone.At, deleted, seen);
        Assert.Empty(Changes(port, "before_failure"));

        // An nft table with the drop, then the table flushed.
        await ChangeAsync(exporter, () => lab.Ns.Exec("nft", "add table inet pe_tl; add chain inet pe_tl input { type filter hook input priority 0; policy accept; }; add rule inet pe_tl input tcp dport 8080 drop"), "firewall");
        var (flushed, flushedAt, flushSeen) = await ChangeAsync(exporter, () => lab.Ns.Exec("nft", "flush", "table", "inet", "pe_tl"), "firewall");
        var flush = Changes(WebPort(flushed), "recent").First(c => c.Evidence == "firewall");
        Assert.Contains($"drop -> accept (rule `{DropRule}` removed, now ", flush.Summary, StringComparison.Ordinal);
        Assert.InRange(flush.At, flushedAt, flushSeen);
        Assert.False(exporter.HasExited);
    }

    [Fact]
    public async Task A_restart_and_a_restart_on_loopback_are_in_the_timeline()
    {
        using var lab = new Lab();
        using var exporter = new RunningExporter(lab.Ns, ["--config.file", lab.Config]);
        await exporter.WarmUpAsync();

        var first = lab.Web.Id;
        var (restarted, killed, seen) = await ChangeAsync(exporter, () => lab.RestartWeb("0.0.0.0"), "process");
        var restart = Assert.Single(Changes(WebPort(restarted), "recent"), c => c.Evidence == "process");
        Assert.StartsWith("process restarted: pe-tl-web pid ", restart.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(Changes(WebPort(restarted), "recent"), c => c.Evidence == "listener");
        Assert.InRange(restart.At, killed, seen);
        Assert.NotEqual(first, lab.Web.Id);

        var (rebound, rebindAt, rebindSeen) = await ChangeAsync(exporter, () => lab.RestartWeb("127.0.0.1"), "listener");
        var port = WebPort(rebound);
        Assert.Equal("loopback_only", port.GetProperty("cause").GetString());
        var listener = Assert.Single(Changes(port, "before_failure"), c => c.Evidence == "listener");
        Assert.Equal("listener address 0.0.0.0 (wildcard) -> 127.0.0.1 (loopback)", listener.Summary);
        Assert.InRange(listener.At, rebindAt, rebindSeen);
        Assert.Contains(Changes(port, "before_failure"), c => c.Evidence == "process");
    }

    [Fact]
    public async Task With_a_storage_path_the_timeline_survives_a_restart_and_a_corrupt_state_file_is_ignored()
    {
        using var lab = new Lab();
        using var storage = new TempDir();
        string[] args = ["--config.file", lab.Config, "--storage.path", storage.Path];
        Change pushed;
        using (var exporter = new RunningExporter(lab.Ns, args))
        {
            await exporter.WarmUpAsync();
            var (report, _, _) = await ChangeAsync(exporter, () => lab.Ns.Exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP"), "firewall");
            pushed = Assert.Single(Changes(WebPort(report), "before_failure"), c => c.Evidence == "firewall");
        }

        Assert.Equal(["timeline.json"], Directory.GetFiles(storage.Path).Select(Path.GetFileName));
        using (var restarted = new RunningExporter(lab.Ns, args))
        {
            restarted.WaitForLog("timeline loaded from");
            var port = WebPort((await restarted.ReadAsync("/diagnose?format=json")).Body);
            Assert.Equal(pushed, Assert.Single(Changes(port, "before_failure"), c => c.Evidence == "firewall"));
        }

        File.WriteAllText(Path.Combine(storage.Path, "timeline.json"), "{\"format_version\": 1, \"ports\": [");
        using (var corrupt = new RunningExporter(lab.Ns, args))
        {
            corrupt.WaitForLog("timeline state file");
            var port = WebPort((await corrupt.ReadAsync("/diagnose?format=json")).Body);
            Assert.Empty(Changes(port, "before_failure"));
            Assert.False(corrupt.HasExited);
        }

        var relative = Shell.RunAllowFailure(ExporterBinary.Command("--storage.path", "state")[0], [.. ExporterBinary.Command("--storage.path", "state")[1..]]);
        Assert.Equal((2, "--storage.path: expected an absolute path of an existing folder, got 'state'\n"), (relative.ExitCode, relative.Stderr));
    }

    /// <summary>
    /// Makes a change between two collections: the report before it is taken, then the change, then reports until
    /// one has a change of <paramref name="evidence"/> made after it (a firewall change shows once the refresh the
    /// scrape after it started has ended, which a scrape waits for only up to half its time left).
    /// </summary>
    private static async Task<(string Report, DateTimeOffset ChangedFrom, DateTimeOffset AnsweredBy)> ChangeAsync(RunningExporter exporter, Action change, string evidence)
    {
        await exporter.ReadAsync("/diagnose?format=json");
        var from = DateTimeOffset.UtcNow;
        change();
        var report = (await exporter.ReadUntilAsync(
            r => ((string[])["recent", "before_failure"]).Any(list => Changes(WebPort(r), list).Any(c => c.Evidence == evidence && c.At >= from)),
            $"a {evidence} change after {from:O}",
            "/diagnose?format=json")).Body;
        return (report, from, DateTimeOffset.UtcNow);
    }

    private static JsonElement WebPort(string report)
    {
        using var json = JsonDocument.Parse(report);
        return json.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == 8080).Clone();
    }

    private static List<Change> Changes(JsonElement port, string list) =>
        [.. port.GetProperty("timeline").GetProperty(list).EnumerateArray().Select(c => new Change(
            c.GetProperty("at").GetDateTimeOffset(), c.GetProperty("evidence").GetString()!, c.GetProperty("summary").GetString()!))];

    private sealed record Change(DateTimeOffset At, string Evidence, string Summary);

    /// <summary>The web service lab; the process name is in the timeline.</summary>
    private sealed class Lab() : WebServiceLab("tl", 79, "pe-tl-web");
}
