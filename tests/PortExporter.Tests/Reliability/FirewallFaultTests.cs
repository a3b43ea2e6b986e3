using PortExporter.Core.Collection;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// The firewall collector reads the ruleset with <c>nft -j list ruleset</c> and <c>iptables-legacy-save -c</c> /
/// <c>ip6tables-legacy-save -c</c> (and <c>iptables-nft-save</c> only for tables iptables-nft made), off the scrape
/// path. Whatever one of them does, the scrape answers in time; absent, it is no data (success 1); hung, junk or
/// 100 MB fail the firewall collector only (success 0, no verdict served), memory stays bounded, and no tool is left
/// running past the command timeout. Default firewall settings, as a fleet runs them.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class FirewallFaultTests(ITestOutputHelper output)
{
    /// <summary>The default firewall.command_timeout: a hung tool is killed by then.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("nft", ToolFault.Missing)]
    [InlineData("nft", ToolFault.Hanging)]
    [InlineData("nft", ToolFault.Garbage)]
    [InlineData("nft", ToolFault.Huge)]
    [InlineData("iptables-legacy-save", ToolFault.Hanging)]
    [InlineData("iptables-legacy-save", ToolFault.Garbage)]
    [InlineData("iptables-legacy-save", ToolFault.Huge)]
    public async Task A_broken_ruleset_tool_fails_the_firewall_collector_only(string tool, ToolFault fault)
    {
        using var ns = new Netns("rfw");
        using var dir = new TempDir();
        using var stubs = new ToolStubs().With(tool, fault);
        if (tool != "nft")
        {
            stubs.With("iptables-save", fault);
        }

        ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hi");
        ns.WaitForListener(8080);
        using var exporter = new RunningExporter(ns, ["--config.file", Config(dir)], path: stubs.Path);
        var before = exporter.RssKb();
        var started = DateTime.UtcNow;

        foreach (var body in await DeadlineScrapes.ScrapeAsync(exporter, 3, output))
        {
            Exposition.AssertOthersSucceeded(body, CollectorNames.Firewall);
            Assert.Equal(1, Value(body, "port_listener_info", ("service", "web"), ("process", "socat")));
            if (fault == ToolFault.Missing)
            {
                Assert.Equal(1, Exposition.Success(body, CollectorNames.Firewall));
                Assert.DoesNotContain(Series(body, "port_host_firewall_backend_info"), s => s.Contains("nftables", StringComparison.Ordinal));
            }
            else
            {
                Assert.Equal(0, Exposition.Success(body, CollectorNames.Firewall));
                Assert.Empty(Series(body, "port_firewall_blocked"));
                Assert.DoesNotContain(Series(body, "port_diagnosis"), s => s.Contains("cause=\"firewall_blocked\"", StringComparison.Ordinal));
            }
        }

        var growth = exporter.RssKb() - before;
        output.WriteLine($"RSS before {before / 1024} MiB, growth {growth / 1024} MiB, high-water {exporter.StatusField("VmHWM") / 1024} MiB");
        Assert.True(growth < 200 * 1024, $"RSS grew {growth / 1024} MiB");
        // The hanging stub sleeps an hour: gone within seconds of the command timeout means the exporter killed it,
        // however slowly a busy machine reaps it.
        var killBy = started + CommandTimeout + TimeSpan.FromSeconds(10) - DateTime.UtcNow;
        Assert.Empty(stubs.LeftoversAfter(killBy > TimeSpan.Zero ? killBy : TimeSpan.Zero));
        DeadlineScrapes.Stop(exporter);
    }

    [Fact]
    public async Task A_working_nft_on_the_stub_path_gives_the_verdict()
    {
        using var ns = new Netns("rfw");
        using var peer = new Netns("rfwpeer");
        using var dir = new TempDir();
        ns.Link("eth0", "10.77.0.1/24", peer, "eth0", "10.77.0.254/24");
        ns.Exec("ip", "route", "add", "default", "via", "10.77.0.254");
        ns.Exec("nft", "add table inet guard");
        ns.Exec("nft", "add chain inet guard input { type filter hook input priority 0; policy accept; }");
        ns.Exec("nft", "add rule inet guard input tcp dport 8080 drop");
        using var stubs = new ToolStubs().Printing("nft", ns.Exec("nft", "-j", "list", "ruleset").Stdout);
        ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hi");
        ns.WaitForListener(8080);
        using var exporter = new RunningExporter(ns, ["--config.file", Config(dir)], path: stubs.Path);

        var body = (await DeadlineScrapes.ScrapeAsync(exporter, 1, output))[0];
        output.WriteLine(string.Join('\n', Series(body, "port_firewall_verdict_info")));
        Assert.Equal(1, Exposition.Success(body, CollectorNames.Firewall));
        Assert.Equal(1, Value(body, "port_firewall_blocked", ("service", "web")));
    }

    private static string Config(TempDir dir) => dir.File("config.yml", """
        ports:
          - name: web
            port: 8080
            process: socat
        """);
}
