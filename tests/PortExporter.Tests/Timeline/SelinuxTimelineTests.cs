using System.Text.Json;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Timeline;

/// <summary>
/// An SELinux mode change in the timeline. This machine has no SELinux, so <c>--path.sysfs</c> and
/// <c>--path.rootfs</c> point at a copy of the permissive fixture host (see <c>Selinux/fixtures/README.md</c>), and the
/// test flips its selinuxfs <c>enforce</c> file to the enforcing fixture's content between two collections, as
/// <c>setenforce 1</c> does by writing to selinuxfs.
/// </summary>
public sealed class SelinuxTimelineTests
{
    [Fact]
    public async Task A_flip_from_permissive_to_enforcing_is_a_selinux_event_within_one_collection()
    {
        using var lab = new WebServiceLab("histse", 95, "pe-hist-se");
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Selinux", "fixtures");
        var sys = Copy(Path.Combine(fixtures, "permissive", "sys"), Path.Combine(lab.Dir.Path, "sys"));
        var root = Copy(Path.Combine(fixtures, "permissive", "root"), Path.Combine(lab.Dir.Path, "root"));
        var enforce = Path.Combine(sys, "fs", "selinux", "enforce");
        using var exporter = new RunningExporter(lab.Ns, ["--config.file", lab.Config, "--path.sysfs", sys, "--path.rootfs", root]);
        await exporter.WarmUpAsync();

        Assert.DoesNotContain(Changes(await ReportAsync(exporter)), c => c.Evidence == "selinux");
        var from = DateTimeOffset.UtcNow;
        File.Copy(Path.Combine(fixtures, "enforcing", "sys", "fs", "selinux", "enforce"), enforce, overwrite: true);
        var after = await ReportAsync(exporter);
        var by = DateTimeOffset.UtcNow;

        var change = Assert.Single(Changes(after), c => c.Evidence == "selinux");
        Assert.Equal("SELinux mode permissive -> enforcing", change.Summary);
        Assert.InRange(change.At, from, by);
        var metrics = (await exporter.ReadAsync()).Body;
        Assert.Equal(
            change.At.ToUnixTimeMilliseconds() / 1000.0,
            EndToEnd.MetricsText.Value(metrics, "port_evidence_last_change_timestamp_seconds", ("port", "8080"), ("evidence", "selinux")));
    }

    private static async Task<JsonElement> ReportAsync(RunningExporter exporter)
    {
        using var json = JsonDocument.Parse((await exporter.NextScrapeAsync("/diagnose?format=json")).Body);
        return json.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == 8080).Clone();
    }

    private static List<(DateTimeOffset At, string Evidence, string Summary)> Changes(JsonElement port) =>
        [.. port.GetProperty("timeline").GetProperty("recent").EnumerateArray().Select(c => (
            c.GetProperty("at").GetDateTimeOffset(), c.GetProperty("evidence").GetString()!, c.GetProperty("summary").GetString()!))];

    private static string Copy(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }
}
