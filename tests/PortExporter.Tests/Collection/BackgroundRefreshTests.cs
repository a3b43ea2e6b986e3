using Microsoft.Extensions.Time.Testing;
using PortExporter.Core.Collection;

namespace PortExporter.Tests.Collection;

public sealed class BackgroundRefreshTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Callers_share_the_rebuild_in_flight_and_start_none_when_not_due()
    {
        var time = new FakeTimeProvider();
        using var refresh = new BackgroundRefresh<string>(time);
        var gate = new TaskCompletionSource<string>();
        var loads = 0;
        Task<string> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            return gate.Task;
        }

        var first = refresh.StartIf(_ => true, Load);
        var second = refresh.StartIf(_ => true, Load);
        Assert.Same(first, second);
        Assert.Same(first, refresh.State.InFlight);
        Assert.Null(refresh.State.Current);

        gate.SetResult("v1");
        Assert.Equal("v1", await first!.WaitAsync(Guard));
        Assert.Equal("v1", refresh.State.Current);
        Assert.Null(refresh.State.InFlight);
        Assert.Null(refresh.StartIf(state => state.Current is null, Load));
        Assert.Equal(1, loads);
    }

    [Fact]
    public async Task A_failed_rebuild_keeps_the_previous_value_and_records_the_failure_until_one_succeeds()
    {
        var time = new FakeTimeProvider();
        using var refresh = new BackgroundRefresh<string>(time);
        var outcomes = new List<Exception?>();
        refresh.Completed += (_, error) => outcomes.Add(error);

        await refresh.StartIf(_ => true, _ => Task.FromResult("good"))!.WaitAsync(Guard);
        time.Advance(TimeSpan.FromSeconds(5));
        var failing = refresh.StartIf(_ => true, _ => Task.FromException<string>(new InvalidOperationException("tool exited 1")))!;
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Guard));

        var failed = refresh.State;
        Assert.Equal("good", failed.Current);
        Assert.Equal("tool exited 1", failed.Failure!.Message);
        Assert.Equal(time.GetUtcNow(), failed.FailedAt);
        Assert.Equal(time.GetUtcNow(), failed.LastStarted);

        await refresh.StartIf(_ => true, _ => Task.FromResult("better"))!.WaitAsync(Guard);
        Assert.Equal("better", refresh.State.Current);
        Assert.Null(refresh.State.Failure);
        Assert.Equal(3, outcomes.Count);
        Assert.IsType<InvalidOperationException>(outcomes[1]);
    }

    [Fact]
    public async Task Dispose_cancels_the_rebuild_in_flight()
    {
        var refresh = new BackgroundRefresh<string>(new FakeTimeProvider());
        var running = refresh.StartIf(_ => true, async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        })!;

        refresh.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Guard));
    }
}
