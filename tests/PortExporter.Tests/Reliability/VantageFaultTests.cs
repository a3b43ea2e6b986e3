using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// A remote vantage that is slow past the deadline, refuses connections, or answers 200 with junk: the scrape answers
/// in time, the vantage is down (<c>port_vantage_up 0</c>, no result from it), and a dead vantage is never read as a
/// NAT or upstream fault.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class VantageFaultTests(ITestOutputHelper output)
{
    private const int VantagePort = 18080;

    /// <summary>How the remote vantage misbehaves: answers after a minute, has nothing listening, answers 200 with junk.</summary>
    public enum VantageFault
    {
        Slow,
        Refusing,
        Garbage,
    }

    [Theory]
    [InlineData(VantageFault.Slow)]
    [InlineData(VantageFault.Refusing)]
    [InlineData(VantageFault.Garbage)]
    public async Task A_broken_vantage_is_down_and_blames_nothing(VantageFault fault)
    {
        using var ns = new Netns("rvan");
        using var dir = new TempDir();
        using var thread = new NetnsThread(ns);
        using var vantage = fault switch
        {
            VantageFault.Slow => new MisbehavingVantage(thread, VantagePort, TimeSpan.FromSeconds(60), 400, "text/plain", "no target\n"),
            VantageFault.Garbage => new MisbehavingVantage(thread, VantagePort, TimeSpan.Zero, 200, "text/plain; version=0.0.4", MisbehavingVantage.Junk),
            _ => null,
        };
        ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hi");
        ns.WaitForListener(8080);
        using var exporter = new RunningExporter(ns, ["--config.file", Config(dir)]);

        foreach (var body in await DeadlineScrapes.ScrapeAsync(exporter, 2, output))
        {
            Assert.Equal(0, Value(body, "port_vantage_up", ("vantage", "outside")));
            Assert.DoesNotContain(Series(body, "port_probe_success"), s => s.Contains("vantage=\"outside\"", StringComparison.Ordinal));
            Assert.DoesNotContain(Series(body, "port_diagnosis"), s => s.Contains("cause=\"nat_or_upstream\"", StringComparison.Ordinal));
            Assert.Equal(1, Value(body, "port_probe_success", ("service", "web"), ("vantage", "loopback")));
            Exposition.AssertOthersSucceeded(body);
        }

        if (vantage is not null)
        {
            Assert.True(vantage.Requests >= 2, $"the vantage was asked {vantage.Requests} times");
        }
    }

    [Fact]
    public async Task A_scrape_that_joins_a_longer_collection_still_answers_by_its_own_deadline()
    {
        using var ns = new Netns("rvan");
        using var dir = new TempDir();
        using var thread = new NetnsThread(ns);
        using var vantage = new MisbehavingVantage(thread, VantagePort, TimeSpan.FromSeconds(60), 400, "text/plain", "no target\n");
        using var exporter = new RunningExporter(ns, ["--config.file", Config(dir)]);
        var warm = await exporter.WarmUpAsync(1.5);
        var collectionsBefore = Value(warm.Body, "port_exporter_collections_total");

        // A slower client (an 8 s timeout) starts a collection that waits for the vantage...
        var asked = vantage.Requests;
        var slow = exporter.GetAsync("/metrics", 8);
        await vantage.RequestAfterAsync(asked);

        // ...and Prometheus, with a 2 s timeout, joins it: a client that gives up after 2 s gets the previous
        // collection's series (the one still running has not finished: no new collection is counted).
        var quick = await exporter.GetAsync("/metrics", 2);
        output.WriteLine($"joining scrape: {quick.Elapsed.TotalSeconds:0.000} s");
        Assert.Equal(200, quick.Status);
        Exposition.AssertComplete(quick.Body);
        Assert.False(slow.IsCompleted, "the slow scrape's collection ended before the joining scrape answered: nothing was joined");
        Assert.Equal(collectionsBefore, Value(quick.Body, "port_exporter_collections_total"));

        // The slow scrape, too, answers before its own client gives up: with its own collection, where the vantage
        // is down, or (when the machine is so busy that writing the series outlasts the grace after the deadline)
        // with the previous one. Either is complete; which one it got is in the collections counter.
        var first = await slow;
        output.WriteLine($"slow scrape: {first.Elapsed.TotalSeconds:0.000} s");
        Assert.Equal(200, first.Status);
        Exposition.AssertComplete(first.Body);
        var collections = Value(first.Body, "port_exporter_collections_total");
        output.WriteLine($"slow scrape served collection {collections} (before: {collectionsBefore})");
        Assert.Contains(collections, new double?[] { collectionsBefore, collectionsBefore + 1 });
        if (collections == collectionsBefore + 1)
        {
            Assert.Equal(0, Value(first.Body, "port_vantage_up", ("vantage", "outside")));
        }
    }

    // Every scrape collects afresh (no reuse of a young collection), so each one asks the vantage.
    private static string Config(TempDir dir) => dir.File("config.yml", $"""
        ports:
          - name: web
            port: 8080
        web:
          min_collection_interval: 1ms
        vantages:
          - name: outside
            url: http://127.0.0.1:{VantagePort}
        """);
}
