using Microsoft.Extensions.DependencyInjection;
using PortExporter.Hosting;
using Prometheus;

namespace PortExporter.Tests.Host;

/// <summary>
/// A scrape writes the exposition into the buffer an earlier scrape grew, not into a new one: a new buffer grown to an
/// exposition of 50 ports (80 KB) was a 128 KB array on the large object heap on every scrape, which only a full
/// collection frees, and the process grew by megabytes between two of them while it was scraped.
/// </summary>
public sealed class ExpositionBufferTests
{
    [Fact]
    public async Task A_scrape_allocates_less_than_the_exposition_it_writes()
    {
        var ports = string.Concat(Enumerable.Range(0, 300).Select(i => $"  - name: service-{i}\n    port: {20000 + i}\n"));
        await using var host = await ExporterHost.StartAsync($"ports:\n{ports}probes:\n  enabled: false\n");
        var evidence = host.Services.GetRequiredService<EvidenceService>();
        await evidence.CollectAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        using var first = new MemoryStream();
        await evidence.ExportAsync(first, ExpositionFormat.PrometheusText, CancellationToken.None);

        using var second = new MemoryStream(checked((int)first.Length * 2));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var export = evidence.ExportAsync(second, ExpositionFormat.PrometheusText, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Into memory streams nothing waits, so the whole export ran on this thread and the count above is all of it.
        Assert.True(export.IsCompletedSuccessfully, "the export into a memory stream did not complete synchronously");
        Assert.InRange(second.Length, 100_000, int.MaxValue);
        Assert.True(allocated < second.Length / 2, $"the second scrape allocated {allocated:N0} bytes for an exposition of {second.Length:N0}");
    }
}
