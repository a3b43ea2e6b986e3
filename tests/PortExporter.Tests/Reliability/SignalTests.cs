using System.Diagnostics;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// SIGHUP reloads the config: a broken file keeps the old one in force and says so
/// (<c>port_exporter_config_last_reload_successful 0</c>), a fixed one is applied. SIGTERM lets the scrape in flight
/// finish with a whole answer, then the process exits 0.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SignalTests(ITestOutputHelper output)
{
    private const int Sighup = 1;
    private const int Sigterm = 15;

    [Fact]
    public async Task Sighup_with_a_broken_config_keeps_the_old_one_and_a_fixed_one_is_applied()
    {
        using var ns = new Netns("rsig");
        using var dir = new TempDir();
        var config = dir.File("config.yml", """
            ports:
              - name: web
                port: 8080
            """);
        using var exporter = new RunningExporter(ns, ["--config.file", config]);
        var body = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        Assert.Equal(1, Value(body, "port_exporter_config_last_reload_successful"));
        Assert.Equal(0, Value(body, "port_listening", ("service", "web")));

        File.WriteAllText(config, "ports:\n  - name: web\n    port: 80800\n  - [unbalanced\n");
        var logged = exporter.Log.Count;
        exporter.Signal(Sighup);
        exporter.WaitForLog("config reload failed", logged);
        body = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        Assert.Equal(0, Value(body, "port_exporter_config_last_reload_successful"));
        Assert.Equal(0, Value(body, "port_listening", ("service", "web")));
        Assert.DoesNotContain(Series(body, "port_listening"), s => !s.Contains("service=\"web\"", StringComparison.Ordinal));

        File.WriteAllText(config, """
            ports:
              - name: api
                port: 9090
            """);
        logged = exporter.Log.Count;
        exporter.Signal(Sighup);
        exporter.WaitForLog("config reloaded", logged);
        body = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        Assert.Equal(1, Value(body, "port_exporter_config_last_reload_successful"));
        Assert.Equal(0, Value(body, "port_listening", ("service", "api"), ("port", "9090")));
        Assert.Null(Value(body, "port_listening", ("service", "web")));
        Assert.False(exporter.HasExited);
    }

    [Fact]
    public async Task Sighup_reloads_even_when_the_exporter_was_started_with_it_ignored()
    {
        using var ns = new Netns("rsig");
        using var dir = new TempDir();
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");
        using var exporter = new RunningExporter(ns, ["--config.file", config], prefix: ["nohup"]);
        Assert.Equal(0, Value((await DeadlineScrapes.ScrapeAsync(exporter, 1))[0], "port_listening", ("service", "web")));

        File.WriteAllText(config, "ports:\n  - name: api\n    port: 9090\n");
        var logged = exporter.Log.Count;
        exporter.Signal(Sighup);
        exporter.WaitForLog("config reloaded", logged);
        var body = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        Assert.Equal(0, Value(body, "port_listening", ("service", "api"), ("port", "9090")));
        Assert.Null(Value(body, "port_listening", ("service", "web")));
        Assert.False(exporter.HasExited);
    }

    [Fact]
    public async Task Sigterm_finishes_the_scrape_in_flight_then_exits_0()
    {
        using var ns = new Netns("rsig");
        using var dir = new TempDir();
        using var stubs = new ToolStubs();
        using var exporter = ToolStubs.ExporterWithHangingSystemctl(ns, dir, stubs);

        await exporter.WarmUpAsync(10);
        Assert.Empty(stubs.LeftoversAfter(TimeSpan.FromSeconds(10)));
        var scrape = exporter.GetAsync("/metrics", 10);
        await SystemctlFaultTests.StubRunningAsync(stubs);
        Assert.False(scrape.IsCompleted, "the scrape answered before its collection asked systemctl");
        var signalled = Stopwatch.StartNew();
        exporter.Signal(Sigterm);
        var answer = await scrape;
        var answeredAfter = signalled.Elapsed;
        Assert.True(exporter.WaitForExit(TimeSpan.FromSeconds(10)), "the exporter did not exit within 10 s of answering");
        var exitedAfter = signalled.Elapsed;
        output.WriteLine($"scrape answered {answeredAfter.TotalSeconds:0.000} s after SIGTERM; process exited {exitedAfter.TotalSeconds:0.000} s after it");

        Assert.Equal(200, answer.Status);
        Exposition.AssertComplete(answer.Body);
        Assert.Equal(1, Value(answer.Body, "port_unit_info", ("service", "web"), ("active_state", "unknown"), ("sub_state", "unknown")));
        Assert.Equal(0, exporter.ExitCode);
    }
}
