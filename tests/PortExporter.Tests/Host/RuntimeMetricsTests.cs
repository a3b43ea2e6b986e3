using System.Text;
using PortExporter.Core.Metrics;
using Prometheus;

namespace PortExporter.Tests.Host;

/// <summary>The exporter's own process series: the names and types prometheus-net's DotNetStats exported, with live values.</summary>
public sealed class RuntimeMetricsTests
{
    [Fact]
    public async Task Exports_the_process_and_dotnet_series_with_live_values()
    {
        var registry = Metrics.NewCustomRegistry();
        RuntimeMetrics.Register(registry);
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        var values = text.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

        Assert.Contains("# TYPE process_cpu_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_collection_count_total counter", text, StringComparison.Ordinal);
        Assert.True(values["process_cpu_seconds_total"] > 0);
        var rss = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        Assert.InRange(values["process_working_set_bytes"], 1024 * 1024, 64L * 1024 * 1024 * 1024);
        Assert.True(values["process_virtual_memory_bytes"] >= values["process_working_set_bytes"], rss);
        Assert.True(values["process_private_memory_bytes"] > 0);
        Assert.InRange(values["process_num_threads"], 1, 10_000);
        Assert.InRange(values["process_open_handles"], 3, 1_000_000);
        Assert.True(values["dotnet_total_memory_bytes"] > 0);
        Assert.InRange(values["dotnet_collection_count_total{generation=\"0\"}"], 0, GC.CollectionCount(0));
        var started = DateTimeOffset.FromUnixTimeMilliseconds((long)(values["process_start_time_seconds"] * 1000));
        Assert.InRange(started, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
    }
}
