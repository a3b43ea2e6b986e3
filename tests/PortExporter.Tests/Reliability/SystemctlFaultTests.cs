using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// The processes collector runs <c>systemctl show</c> for a configured <c>unit:</c>. Whatever systemctl does (absent,
/// hung, junk, 100 MB), the scrape answers in time, the unit is "unknown" (never inactive), the rest of the process
/// evidence and every other collector stay, memory stays flat and no systemctl is left running.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SystemctlFaultTests(ITestOutputHelper output)
{
    private const long MaxRssGrowthKb = 64 * 1024;

    [Theory]
    [InlineData(ToolFault.Missing)]
    [InlineData(ToolFault.Hanging)]
    [InlineData(ToolFault.Garbage)]
    [InlineData(ToolFault.Huge)]
    public async Task A_broken_systemctl_leaves_the_unit_unknown_and_everything_else_intact(ToolFault fault)
    {
        using var ns = new Netns("rsys");
        using var dir = new TempDir();
        using var stubs = new ToolStubs().With("systemctl", fault);
        ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hi");
        ns.WaitForListener(8080);
        using var exporter = new RunningExporter(ns, ["--config.file", Config(dir)], path: stubs.Path);
        var before = exporter.RssKb();

        foreach (var body in await DeadlineScrapes.ScrapeAsync(exporter, 3, output))
        {
            Assert.Equal(1, Exposition.Success(body, "processes"));
            Assert.Equal(1, Value(body, "port_unit_info", ("service", "web"), ("active_state", "unknown"), ("sub_state", "unknown")));
            Assert.Empty(Series(body, "port_unit_active"));
            Assert.Equal(1, Value(body, "port_listener_info", ("service", "web"), ("process", "socat")));
            Assert.Equal(1, Value(body, "port_process_running", ("service", "web")));
            Exposition.AssertOthersSucceeded(body);
        }

        Assert.Empty(stubs.LeftoversAfter(TimeSpan.FromSeconds(1)));
        var growth = exporter.RssKb() - before;
        output.WriteLine($"RSS before {before / 1024} MiB, growth {growth / 1024} MiB");
        Assert.True(growth < MaxRssGrowthKb, $"RSS grew {growth} KiB over three scrapes");
        DeadlineScrapes.Stop(exporter);
    }

    [Fact]
    public async Task A_working_systemctl_on_the_stub_path_is_the_one_asked()
    {
        using var ns = new Netns("rsys");
        using var dir = new TempDir();
        using var stubs = new ToolStubs().Printing("systemctl", "ActiveState=active\nSubState=running\n");
        using var exporter = new RunningExporter(ns, ["--config.file", Config(dir)], path: stubs.Path);

        var body = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        Assert.Equal(1, Value(body, "port_unit_active", ("service", "web")));
        Assert.Equal(1, Value(body, "port_unit_info", ("service", "web"), ("active_state", "active"), ("sub_state", "running")));
    }

    [Fact]
    public async Task A_scrape_that_joins_a_longer_collection_still_answers_by_its_own_deadline()
    {
        using var ns = new Netns("rsys");
        using var dir = new TempDir();
        using var stubs = new ToolStubs();
        using var exporter = ToolStubs.ExporterWithHangingSystemctl(ns, dir, stubs);
        var warm = await exporter.WarmUpAsync(1.5);
        var collectionsBefore = Value(warm.Body, "port_exporter_collections_total");
        Assert.Empty(stubs.LeftoversAfter(TimeSpan.FromSeconds(10)));

        // A slower client (an 8 s timeout) starts a collection that waits for the hung systemctl (half its time)...
        var slow = exporter.GetAsync("/metrics", 8);
        await StubRunningAsync(stubs);

        // ...and Prometheus, with a 2 s timeout, joins it: a client that gives up after 2 s gets the previous
        // collection's series (the one still running has not finished: no new collection is counted).
        var quick = await exporter.GetAsync("/metrics", 2);
        output.WriteLine($"joining scrape: {quick.Elapsed.TotalSeconds:0.000} s");
        Assert.Equal(200, quick.Status);
        Exposition.AssertComplete(quick.Body);
        Assert.False(slow.IsCompleted, "the slow scrape's collection ended before the joining scrape answered: nothing was joined");
        Assert.Equal(collectionsBefore, Value(quick.Body, "port_exporter_collections_total"));

        // The slow scrape, too, answers before its own client gives up: with its own collection, where the unit is
        // unknown, or (when the machine is so busy that writing the series outlasts the grace after the deadline)
        // with the previous one. Either is complete; which one it got is in the collections counter.
        var first = await slow;
        output.WriteLine($"slow scrape: {first.Elapsed.TotalSeconds:0.000} s");
        Assert.Equal(200, first.Status);
        Exposition.AssertComplete(first.Body);
        var collections = Value(first.Body, "port_exporter_collections_total");
        output.WriteLine($"slow scrape served collection {collections} (before: {collectionsBefore})");
        Assert.Contains(collections, new double?[] { collectionsBefore, collectionsBefore + 1 });
        Assert.Equal(1, Value(first.Body, "port_unit_info", ("service", "web"), ("active_state", "unknown"), ("sub_state", "unknown")));
    }

    /// <summary>Waits until a stub (the hung systemctl) runs: a collection is in flight.</summary>
    internal static async Task StubRunningAsync(ToolStubs stubs)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (stubs.Leftovers().Count == 0)
        {
            Assert.True(DateTime.UtcNow < until, "no collection ran the stub within 30 s");
            await Task.Delay(20);
        }
    }

    private static string Config(TempDir dir) => dir.File("config.yml", """
        ports:
          - name: web
            port: 8080
            process: socat
            unit: web.service
        """);
}
