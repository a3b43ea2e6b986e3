using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// A remote vantage that is slow past the round's deadline, refuses connections, or answers 200 with junk: the scrape answers
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

        // Probes run on their own schedule: two rounds, then the scrapes read the latest.
        var first = await exporter.WaitForProbeRoundAsync();
        await exporter.WaitForProbeRoundAsync(Value(first.Body, "port_probe_last_run_timestamp_seconds", ("vantage", "loopback"))!.Value);
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

    // A round every 2 s (each ending by 1.8 s, before the next), so the test sees a few.
    private static string Config(TempDir dir) => dir.File("config.yml", $"""
        ports:
          - name: web
            port: 8080
        probes:
          interval: 2s
        vantages:
          - name: outside
            url: http://127.0.0.1:{VantagePort}
        """);
}
