using PortExporter.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace PortExporter.Tests.Host;

/// <summary>When the exporter gives memory back: after the first collection and after a new ruleset snapshot, not on every scrape.</summary>
public sealed class MemoryTrimTests
{
    [Fact]
    public async Task Trims_after_the_first_collection_and_after_each_new_snapshot_at_most_once_per_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var trim = new MemoryTrim(time);
        var snapshot = time.GetUtcNow();

        trim.AfterCollection(snapshot);
        await WaitIdle(trim);
        Assert.Equal(1, trim.Requested);

        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(15));
            trim.AfterCollection(snapshot);
        }

        Assert.Equal(1, trim.Requested);

        // A new snapshot trims; one soon after waits for the interval and trims at the first collection after it.
        trim.AfterCollection(snapshot.AddSeconds(1));
        await WaitIdle(trim);
        Assert.Equal(2, trim.Requested);
        time.Advance(TimeSpan.FromSeconds(1));
        trim.AfterCollection(snapshot.AddSeconds(2));
        Assert.Equal(2, trim.Requested);
        trim.AfterCollection(null);
        Assert.Equal(2, trim.Requested);
        time.Advance(MemoryTrim.MinInterval);
        trim.AfterCollection(null);
        await WaitIdle(trim);
        Assert.Equal(3, trim.Requested);
    }

    private static async Task WaitIdle(MemoryTrim trim)
    {
        // The trim runs on a pool thread; a second request while it runs is dropped, so let it finish.
        await Task.Delay(200);
        GC.KeepAlive(trim);
    }
}
