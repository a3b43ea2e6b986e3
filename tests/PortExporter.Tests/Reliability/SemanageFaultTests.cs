using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// The SELinux collector runs <c>semanage port -l -n</c> when SELinux is enabled and the root filesystem is <c>/</c>.
/// This machine has no SELinux, so <c>--path.sysfs</c> points at the enforcing fixture's selinuxfs while the root
/// stays <c>/</c>. Whatever semanage does, the scrape answers in time, the port's SELinux type is unknown (absent,
/// never a wrong label), the collectors all succeed, memory stays flat, and no semanage outlives the exporter.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SemanageFaultTests(ITestOutputHelper output)
{
    private const long MaxRssGrowthKb = 64 * 1024;

    [Theory]
    [InlineData(ToolFault.Missing)]
    [InlineData(ToolFault.Hanging)]
    [InlineData(ToolFault.Garbage)]
    [InlineData(ToolFault.Huge)]
    public async Task A_broken_semanage_leaves_the_port_type_unknown(ToolFault fault)
    {
        using var ns = new Netns("rsem");
        using var dir = new TempDir();
        using var stubs = new ToolStubs().With("semanage", fault);
        using var exporter = new RunningExporter(ns, Args(dir), path: stubs.Path);
        var before = exporter.RssKb();

        foreach (var body in await DeadlineScrapes.ScrapeAsync(exporter, 3, output))
        {
            Assert.Equal(1, Value(body, "port_host_selinux_enabled"));
            Assert.Empty(Series(body, "port_selinux_port_type_info"));
            Assert.Empty(Series(body, "port_selinux_label_ok"));
            Exposition.AssertOthersSucceeded(body);
        }

        var growth = exporter.RssKb() - before;
        output.WriteLine($"RSS before {before / 1024} MiB, growth {growth / 1024} MiB");
        Assert.True(growth < MaxRssGrowthKb, $"RSS grew {growth} KiB over three scrapes");
        if (fault == ToolFault.Hanging)
        {
            // One semanage at a time (it is retried minutes later, not per scrape), waited for 2 s per scrape at most.
            Assert.Single(stubs.Leftovers(), pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains("sleep", StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(stubs.LeftoversAfter(TimeSpan.FromSeconds(1)));
        }

        DeadlineScrapes.Stop(exporter);
        Assert.Empty(stubs.LeftoversAfter(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_working_semanage_on_the_stub_path_labels_the_port()
    {
        using var ns = new Netns("rsem");
        using var dir = new TempDir();
        using var stubs = new ToolStubs().Printing("semanage", File.ReadAllText(Path.Combine(SelinuxFixture, "semanage-port-list.txt")));
        using var exporter = new RunningExporter(ns, Args(dir), path: stubs.Path);

        var body = (await DeadlineScrapes.ScrapeAsync(exporter, 1, output))[0];
        Assert.Equal(1, Value(body, "port_selinux_port_type_info", ("service", "web"), ("type", "http_cache_port_t")));
        Assert.Equal(0, Value(body, "port_selinux_label_ok", ("service", "web")));
    }

    private static string SelinuxFixture => Path.Combine(AppContext.BaseDirectory, "Selinux", "fixtures", "enforcing");

    private static string[] Args(TempDir dir)
    {
        var sys = Path.Combine(dir.Path, "sys");
        Directory.CreateDirectory(Path.Combine(sys, "fs", "selinux"));
        File.Copy(Path.Combine(SelinuxFixture, "sys", "fs", "selinux", "enforce"), Path.Combine(sys, "fs", "selinux", "enforce"));
        var config = dir.File("config.yml", """
            ports:
              - name: web
                port: 8080
                selinux_type: http_port_t
            """);
        return ["--config.file", config, "--path.sysfs", sys, "--path.rootfs", "/"];
    }
}
