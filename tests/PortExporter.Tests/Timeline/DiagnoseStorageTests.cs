using System.Text.Json;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Timeline;

/// <summary>
/// <c>diagnose --storage.path DIR</c> on a real namespace: a serving exporter saw a DROP rule pushed and kept it in
/// its state file; the one-shot diagnosis reads that file, never writes it, and lists the change before the failure.
/// </summary>
public sealed class DiagnoseStorageTests
{
    [Fact]
    public async Task Diagnose_reads_a_serving_exporters_state_file_and_shows_what_changed_before_it_broke()
    {
        using var lab = new WebServiceLab("histdg", 96, "pe-hist-dg");
        using var storage = new TempDir();
        Change pushed;
        using (var exporter = new RunningExporter(lab.Ns, ["--config.file", lab.Config, "--storage.path", storage.Path]))
        {
            await exporter.WarmUpAsync();
            // The change must find the port ok: on a busy machine a first look may not be (a probe cut by its
            // deadline), and changes from before a port was ever ok are no "before it broke".
            await exporter.ReadUntilAsync(body => Cause(body) == "ok", "port 8080 ok before the change", "/diagnose?format=json");
            lab.Ns.Exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
            pushed = Assert.Single(BeforeFailure((await exporter.NextScrapeAsync("/diagnose?format=json")).Body), c => c.Evidence == "firewall");
        }

        var file = Path.Combine(storage.Path, "timeline.json");
        var bytes = File.ReadAllBytes(file);
        var written = File.GetLastWriteTimeUtc(file);

        var json = lab.Ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--config.file", lab.Config, "--storage.path", storage.Path, "--output", "json"));
        var text = lab.Ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--config.file", lab.Config, "--storage.path", storage.Path));

        Assert.Equal((1, 1), (json.ExitCode, text.ExitCode));
        Assert.Equal(pushed, Assert.Single(BeforeFailure(json.Stdout), c => c.Evidence == "firewall"));
        Assert.Contains(pushed.Summary, text.Stdout, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(file));
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
        Assert.Equal(["timeline.json"], Directory.GetFiles(storage.Path).Select(Path.GetFileName));

        // Without the option the one-shot diagnosis knows no history.
        var alone = lab.Ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--config.file", lab.Config, "--output", "json"));
        Assert.Empty(BeforeFailure(alone.Stdout));
    }

    /// <summary>The 8080 port's cause in a JSON report.</summary>
    private static string? Cause(string report)
    {
        using var json = JsonDocument.Parse(report);
        return json.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == 8080).GetProperty("cause").GetString();
    }

    /// <summary>The 8080 port's "before failure" changes; none when the report has no timeline.</summary>
    private static List<Change> BeforeFailure(string report)
    {
        using var json = JsonDocument.Parse(report);
        var port = json.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == 8080);
        return port.TryGetProperty("timeline", out var timeline) && timeline.ValueKind == JsonValueKind.Object
            ? [.. timeline.GetProperty("before_failure").EnumerateArray().Select(c => new Change(
                c.GetProperty("evidence").GetString()!, c.GetProperty("at").GetDateTimeOffset(), c.GetProperty("summary").GetString()!))]
            : [];
    }

    private sealed record Change(string Evidence, DateTimeOffset At, string Summary);
}
