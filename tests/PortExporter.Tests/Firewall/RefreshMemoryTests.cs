using Microsoft.Extensions.Time.Testing;
using PortExporter.Core.Firewall.Reading;

namespace PortExporter.Tests.Firewall;

public sealed class RefreshMemoryTests
{
    [Fact]
    public void A_refresh_that_allocated_little_leaves_the_heap_to_the_gc()
    {
        var time = new FakeTimeProvider();
        using var memory = new RefreshMemory(time);

        Assert.False(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes - 1));
        time.Advance(RefreshMemory.MinInterval * 2);
        Assert.Equal(0, memory.Collections);
    }

    [Fact]
    public void A_large_refresh_runs_one_full_collection()
    {
        using var memory = new RefreshMemory(new FakeTimeProvider());
        var before = GC.CollectionCount(GC.MaxGeneration);

        Assert.True(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes));
        Assert.Equal(1, memory.Collections);
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before);
    }

    [Fact]
    public void Refreshes_within_the_interval_are_collected_once_when_it_has_passed()
    {
        var time = new FakeTimeProvider();
        using var memory = new RefreshMemory(time);

        var third = RefreshMemory.MinInterval / 3;
        Assert.True(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes));
        time.Advance(third);
        Assert.False(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes * 4));
        time.Advance(third);
        Assert.False(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes));
        Assert.Equal(1, memory.Collections);

        time.Advance(RefreshMemory.MinInterval - third - third);
        Assert.Equal(2, memory.Collections);
        time.Advance(RefreshMemory.MinInterval * 3);
        Assert.Equal(2, memory.Collections);
    }

    [Fact]
    public void Disposing_cancels_a_deferred_collection()
    {
        var time = new FakeTimeProvider();
        var memory = new RefreshMemory(time);
        Assert.True(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes));
        Assert.False(memory.AfterRefresh(RefreshMemory.MinAllocatedBytes));

        memory.Dispose();
        time.Advance(RefreshMemory.MinInterval * 2);

        Assert.Equal(1, memory.Collections);
    }
}
