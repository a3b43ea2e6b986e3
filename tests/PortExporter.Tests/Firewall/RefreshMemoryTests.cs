using Microsoft.Extensions.Time.Testing;
using PortExporter.Core.Firewall.Reading;

namespace PortExporter.Tests.Firewall;

public sealed class RefreshMemoryTests
{
    [Fact]
    public void A_refresh_that_allocated_little_leaves_the_heap_to_the_gc()
    {
        var memory = new RefreshMemory(new FakeTimeProvider());

        Assert.False(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes - 1));
    }

    [Fact]
    public void A_large_refresh_runs_one_full_collection()
    {
        var memory = new RefreshMemory(new FakeTimeProvider());
        var before = GC.CollectionCount(GC.MaxGeneration);

        Assert.True(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes));
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before);
    }

    [Fact]
    public void Collections_are_at_most_one_per_interval_however_often_the_ruleset_changes()
    {
        var time = new FakeTimeProvider();
        var memory = new RefreshMemory(time);

        Assert.True(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes));
        time.Advance(RefreshMemory.MinInterval - TimeSpan.FromSeconds(1));
        Assert.False(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes * 4));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes));
    }
}
