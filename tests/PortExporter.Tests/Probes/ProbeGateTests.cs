using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

public sealed class ProbeGateTests
{
    [Fact]
    public async Task Places_beyond_the_capacity_wait_and_are_granted_in_order_as_places_are_given_back()
    {
        var gate = new ProbeGate(() => 2);
        var first = await gate.AcquireAsync(CancellationToken.None);
        var second = await gate.AcquireAsync(CancellationToken.None);
        var third = gate.AcquireAsync(CancellationToken.None);
        var fourth = gate.AcquireAsync(CancellationToken.None);

        Assert.Equal((2, false, false), (gate.InFlight, third.IsCompleted, fourth.IsCompleted));

        first.Dispose();
        using var thirdPlace = await third;
        Assert.Equal((2, false), (gate.InFlight, fourth.IsCompleted));

        second.Dispose();
        second.Dispose(); // a place is given back once, however often it is disposed
        using var fourthPlace = await fourth;
        Assert.Equal((2, 2), (gate.InFlight, gate.Peak));
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_without_a_place()
    {
        var gate = new ProbeGate(() => 1);
        var held = await gate.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.AcquireAsync(cancel.Token);
        var next = gate.AcquireAsync(CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        held.Dispose();
        using var nextPlace = await next;

        Assert.Equal(1, gate.InFlight);
    }

    [Fact]
    public async Task A_changed_capacity_applies_to_the_next_acquire_and_release()
    {
        var capacity = 1;
        var gate = new ProbeGate(() => capacity);
        var first = await gate.AcquireAsync(CancellationToken.None);
        var waiting = gate.AcquireAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        capacity = 3;
        using var second = await gate.AcquireAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        using var waitingPlace = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, gate.InFlight);

        capacity = 1;
        first.Dispose();
        var over = gate.AcquireAsync(CancellationToken.None);

        Assert.Equal((2, false), (gate.InFlight, over.IsCompleted));
    }
}
