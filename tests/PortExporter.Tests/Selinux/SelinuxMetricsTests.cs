using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Metrics;
using PortExporter.Core.Selinux;
using PortExporter.Tests.Support;
using Prometheus;

namespace PortExporter.Tests.Selinux;

public sealed class SelinuxMetricsTests
{
    [Fact]
    public async Task Enforcing_host_with_a_denied_name_bind_shows_the_port_blocked()
    {
        var (registry, writer) = NewWriter();
        var builder = SelinuxCollectorTests.Builder();
        var collector = new SelinuxCollector(
            new FakeCommandRunner().Answer(AllowedCommand.SemanagePortList, Fixtures.Text("enforcing", "semanage-port-list.txt")), NullLogger<SelinuxCollector>.Instance, SelinuxCollectorTests.WithSemanage);
        await SelinuxCollectorTests.CollectAsync(collector, Fixtures.Host("enforcing"), builder: builder);

        writer.Write(Snapshot(builder));
        var exposition = await ExportAsync(registry);
        var text = Samples(exposition);

        Assert.Contains("port_host_selinux_enabled 1", text, StringComparison.Ordinal);
        Assert.Contains("port_host_selinux_current_mode 1", text, StringComparison.Ordinal);
        Assert.Contains("port_host_selinux_config_mode 1", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_audit_log_readable 1", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_audit_malformed_records_total 5", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_allowed{service=\"api\",port=\"8082\",protocol=\"tcp\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_allowed{service=\"web\",port=\"8081\",protocol=\"tcp\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_allowed{service=\"dns\",port=\"53\",protocol=\"udp\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_denials_total{service=\"api\",port=\"8082\",protocol=\"tcp\",permission=\"name_bind\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_denials_total{service=\"api\",port=\"8082\",protocol=\"tcp\",permission=\"name_connect\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_denials_total{service=\"db\",port=\"3306\",protocol=\"tcp\",permission=\"name_connect\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_port_type_info{service=\"api\",port=\"8082\",protocol=\"tcp\",type=\"unreserved_port_t\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_port_type_info{service=\"web\",port=\"8081\",protocol=\"tcp\",type=\"http_port_t\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_label_ok{service=\"api\",port=\"8082\",protocol=\"tcp\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_label_ok{service=\"web\",port=\"8081\",protocol=\"tcp\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("port_selinux_label_ok{service=\"db\"", text, StringComparison.Ordinal);
        Assert.Contains("port_selinux_last_denial_timestamp_seconds{service=\"api\",port=\"8082\",protocol=\"tcp\"} 1795638012.5", text, StringComparison.Ordinal);
        await PromtoolCheckAsync(exposition);
    }

    [Fact]
    public async Task A_host_without_selinux_has_only_the_host_gauges()
    {
        var (registry, writer) = NewWriter();
        var builder = SelinuxCollectorTests.Builder();
        var collector = new SelinuxCollector(new FakeCommandRunner(), NullLogger<SelinuxCollector>.Instance, SelinuxCollectorTests.WithSemanage);
        await SelinuxCollectorTests.CollectAsync(collector, Fixtures.Host("absent"), builder: builder);

        writer.Write(Snapshot(builder));
        var exposition = await ExportAsync(registry);
        var text = Samples(exposition);

        Assert.Contains("port_host_selinux_enabled 0", text, StringComparison.Ordinal);
        Assert.Contains("port_host_selinux_current_mode -1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("port_host_selinux_config_mode ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("port_selinux_allowed{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("port_selinux_denials_total{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("port_selinux_audit_log_readable ", text, StringComparison.Ordinal);
        await PromtoolCheckAsync(exposition);
    }

    [Fact]
    public async Task Counters_never_go_back_and_series_follow_the_watched_set()
    {
        var (registry, writer) = NewWriter();
        var collector = new SelinuxCollector(new FakeCommandRunner(), NullLogger<SelinuxCollector>.Instance, SelinuxCollectorTests.WithSemanage);
        var builder = SelinuxCollectorTests.Builder();
        await SelinuxCollectorTests.CollectAsync(collector, Fixtures.Host("enforcing"), builder: builder);
        writer.Write(Snapshot(builder));

        // A snapshot whose count is lower (it cannot come from the collector, but a writer must not follow it down).
        var lower = builder.Selinux! with
        {
            Ports = builder.Selinux.Ports.ToDictionary(
                p => p.Key,
                p => p.Value with { DenialsByPermission = p.Value.DenialsByPermission.ToDictionary(d => d.Key, _ => 0L) }),
        };
        builder.Selinux = lower;
        writer.Write(Snapshot(builder));
        Assert.Contains("port_selinux_denials_total{service=\"api\",port=\"8082\",protocol=\"tcp\",permission=\"name_bind\"} 2", Samples(await ExportAsync(registry)), StringComparison.Ordinal);

        // The collector failed: gauges go, counters stay.
        builder.Selinux = null;
        writer.Write(Snapshot(builder));
        var failed = Samples(await ExportAsync(registry));
        Assert.DoesNotContain("port_selinux_allowed{", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("port_host_selinux_enabled 1", failed, StringComparison.Ordinal);
        Assert.Contains("port_selinux_denials_total{service=\"api\"", failed, StringComparison.Ordinal);

        // SELinux off (no ports): the per-port series go.
        builder.Selinux = new SelinuxEvidence(false, SelinuxMode.Disabled, null, new Dictionary<PortExporter.Core.PortKey, SelinuxPortResult>());
        writer.Write(Snapshot(builder));
        var off = Samples(await ExportAsync(registry));
        Assert.DoesNotContain("port_selinux_denials_total{", off, StringComparison.Ordinal);
        Assert.Contains("port_host_selinux_enabled 0", off, StringComparison.Ordinal);
    }

    private static (CollectorRegistry Registry, SelinuxMetrics Writer) NewWriter()
    {
        var registry = Metrics.NewCustomRegistry();
        return (registry, new SelinuxMetrics(Metrics.WithCustomRegistry(registry)));
    }

    private static EvidenceSnapshot Snapshot(SelinuxCollectorTests.SelinuxRun run) => new(
        DateTimeOffset.UtcNow,
        run.Config,
        run.Config.Ports,
        new Dictionary<string, CollectorStatus> { [CollectorNames.Selinux] = new(run.Selinux is not null, TimeSpan.Zero) },
        run.Facts.Sockets,
        run.Facts.Processes,
        Selinux: run.Selinux);

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The sample lines only (no HELP/TYPE), each ending in a newline, so "NAME VALUE" matches whole lines.</summary>
    private static string Samples(string exposition) =>
        string.Concat(exposition.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l + "\n"));

    private static async Task PromtoolCheckAsync(string text)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pe-selinux-{Guid.NewGuid():N}.prom");
        await File.WriteAllTextAsync(file, text);
        try
        {
            var result = Shell.RunAllowFailure("sh", "-c", $"promtool check metrics < '{file}'");
            Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
