using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

/// <summary>
/// The probe schedule on a fake clock: a round at start, the next one interval less the jitter later, each ending by
/// the round budget; a reload starts a round with the new ports and interval; results two intervals old are stale;
/// nothing probes with probes off. The clock only moves when the test moves it, after the scheduler waits on it.
/// </summary>
public sealed class ProbeSchedulerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly PortSpec Web = new("web", 8080, TransportProtocol.Tcp);
    private static readonly PortSpec Api = new("api", 9090, TransportProtocol.Tcp);

    /// <summary>A generous guard against a broken scheduler hanging the test; the assertions never depend on it.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void The_delay_to_the_next_round_is_the_interval_less_at_most_a_tenth(double random)
    {
        var delay = ProbeScheduler.NextDelay(Interval, random);

        Assert.Equal(Interval - (Interval * 0.1 * random), delay);
        Assert.InRange(delay, Interval * 0.9, Interval);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public async Task The_first_round_runs_at_start_and_the_next_one_interval_less_jitter_later(double random)
    {
        var time = new SignallingTime();
        var runner = new RecordingRunner(time);
        using var scheduler = Scheduler(runner, time, () => Config([Web]), random);
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);
        var start = time.GetUtcNow();

        var first = await runner.NextCallAsync();
        Assert.Equal(start, first.At);
        Assert.Equal(start + (Interval * ProbeScheduler.RoundBudget), first.Deadline);
        Assert.Equal([Web.Key], first.Input.Ports.Select(p => p.Key));

        var due = ProbeScheduler.NextDelay(Interval, random);
        await time.WaitForTimerAsync();
        time.Advance(due - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, runner.Calls);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await runner.NextCallAsync();
        Assert.Equal(start + due, second.At);
        Assert.Equal(2, runner.Calls);

        await stop.CancelAsync();
        await running.WaitAsync(Guard);
    }

    [Fact]
    public async Task A_round_keeps_its_results_with_the_time_it_ended_and_they_go_stale_at_two_intervals()
    {
        var time = new SignallingTime();
        var runner = new RecordingRunner(time) { RoundTakes = TimeSpan.FromSeconds(1) };
        using var scheduler = Scheduler(runner, time, () => Config([Web]));
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);

        var first = await runner.NextCallAsync();
        await WaitForAsync(() => scheduler.Latest is not null);
        var latest = scheduler.Latest!;
        Assert.Equal(first.At + TimeSpan.FromSeconds(1), latest.RoundAt);
        Assert.Equal(latest.RoundAt, latest.LastAnswered["loopback"]);
        Assert.Null(latest.WhyNotEvidence(latest.RoundAt!.Value, Interval));

        // The next round hangs past its deadline (a runner that ignores it): the results age without being replaced.
        runner.Hang = true;
        await time.WaitForTimerAsync();
        time.Advance(Interval);
        await runner.NextCallAsync();
        var ended = latest.RoundAt.Value;
        time.Advance(ended + (2 * Interval) - TimeSpan.FromMilliseconds(1) - time.GetUtcNow());
        Assert.Same(latest, scheduler.Latest);
        Assert.Null(scheduler.Latest!.WhyNotEvidence(time.GetUtcNow(), Interval));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.StartsWith("stale (the last probe round ended 30s ago", scheduler.Latest!.WhyNotEvidence(time.GetUtcNow(), Interval), StringComparison.Ordinal);

        runner.Release();
        await stop.CancelAsync();
        await running.WaitAsync(Guard);
    }

    [Fact]
    public async Task A_reload_starts_a_round_with_the_new_ports_and_the_new_interval_takes_over()
    {
        var time = new SignallingTime();
        var runner = new RecordingRunner(time);
        var config = Config([Web]);
        using var scheduler = Scheduler(runner, time, () => config);
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);
        var start = time.GetUtcNow();
        await runner.NextCallAsync();
        await time.WaitForTimerAsync();

        // A reload 2 s in: new ports, a 60 s interval.
        time.Advance(TimeSpan.FromSeconds(2));
        config = Config([Web, Api], TimeSpan.FromSeconds(60));
        scheduler.Wake();
        var reloaded = await runner.NextCallAsync();
        Assert.Equal(start + TimeSpan.FromSeconds(2), reloaded.At);
        Assert.Equal([Web.Key, Api.Key], reloaded.Input.Ports.Select(p => p.Key));
        Assert.Equal(reloaded.At + (TimeSpan.FromSeconds(60) * ProbeScheduler.RoundBudget), reloaded.Deadline);

        // The old interval's due time passes without a round; the new one's brings the next.
        await time.WaitForTimerAsync();
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, runner.Calls);
        time.Advance(TimeSpan.FromSeconds(1));
        var next = await runner.NextCallAsync();
        Assert.Equal(reloaded.At + TimeSpan.FromSeconds(60), next.At);

        await stop.CancelAsync();
        await running.WaitAsync(Guard);
    }

    [Fact]
    public async Task A_round_probes_what_the_latest_collection_saw_and_a_newly_watched_port_is_probed_at_once_but_only_once()
    {
        var time = new SignallingTime();
        var runner = new RecordingRunner(time);
        var config = Config([Web]);
        using var scheduler = Scheduler(runner, time, () => config);
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);
        await runner.NextCallAsync();
        await WaitForAsync(() => scheduler.Latest is not null);
        await time.WaitForTimerAsync();

        // A collection sees an auto-watched port: one round for it (no sooner than a second after the last start),
        // then the schedule again, however many collections see it.
        var auto = new PortSpec("auto-7000-tcp", 7000, TransportProtocol.Tcp);
        var seen = new ProbePlanInput(config, null, [Web, auto]);
        scheduler.Observe(seen);
        scheduler.Observe(seen);
        await time.WaitForTimerAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        var early = await runner.NextCallAsync();
        Assert.Equal(seen with { WithTargets = true }, early.Input);
        await WaitForAsync(() => scheduler.Latest!.Ports.ContainsKey(auto.Key));
        await time.WaitForTimerAsync();
        for (var i = 0; i < 5; i++)
        {
            scheduler.Observe(seen);
        }

        time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, runner.Calls);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await runner.NextCallAsync();
        Assert.Equal(3, runner.Calls);

        await stop.CancelAsync();
        await running.WaitAsync(Guard);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task With_probes_off_no_round_probes_and_no_result_is_kept(bool enabled, bool collectorOn)
    {
        var time = new SignallingTime();
        var runner = new RecordingRunner(time);
        var config = Config([Web]) with { Probes = ProbeSettings.Default with { Enabled = enabled } };
        using var scheduler = new ProbeScheduler(
            runner, () => config, collectorOn ? CollectorSwitches.AllEnabled : CollectorSwitches.Disabling(CollectorNames.Probes), time, NullLogger<ProbeScheduler>.Instance, () => 0);
        using var stop = new CancellationTokenSource();
        var running = scheduler.RunAsync(stop.Token);

        for (var i = 0; i < 3; i++)
        {
            await time.WaitForTimerAsync();
            time.Advance(Interval);
        }

        Assert.Equal(0, runner.Calls);
        Assert.Null(scheduler.Latest);
        await stop.CancelAsync();
        await running.WaitAsync(Guard);
    }

    private static ProbeScheduler Scheduler(RecordingRunner runner, TimeProvider time, Func<ExporterConfig> config, double random = 0) =>
        new(runner, config, CollectorSwitches.AllEnabled, time, NullLogger<ProbeScheduler>.Instance, () => random);

    private static ExporterConfig Config(PortSpec[] ports, TimeSpan? interval = null) =>
        ExporterConfig.AutoDiscover with { SourcePath = "host.yml", Ports = ports, Probes = ProbeSettings.Default with { Interval = interval ?? Interval } };

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within the guard time");
            await Task.Delay(5);
        }
    }

    /// <summary>A fake clock that says when a timer was created: the scheduler is waiting, so moving the clock now is seen.</summary>
    private sealed class SignallingTime : FakeTimeProvider
    {
        private readonly SemaphoreSlim _timers = new(0);

        public SignallingTime()
            : base(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero))
        {
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _timers.Release();
            return timer;
        }

        public async Task WaitForTimerAsync() => Assert.True(await _timers.WaitAsync(Guard), "the scheduler never waited on the clock");
    }

    /// <summary>Records each round (when it started, its deadline, what it probed) and answers with one loopback result per port.</summary>
    private sealed class RecordingRunner(FakeTimeProvider time) : IProbeRunner
    {
        private readonly ConcurrentQueue<Call> _calls = new();
        private readonly SemaphoreSlim _called = new(0);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public TimeSpan RoundTakes { get; init; } = TimeSpan.Zero;

        public bool Hang { get; set; }

        public int Calls => Volatile.Read(ref _count);

        public async Task<ProbeEvidence> RunAsync(ProbePlanInput input, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            _calls.Enqueue(new Call(time.GetUtcNow(), deadline, input));
            Interlocked.Increment(ref _count);
            _called.Release();
            if (Hang)
            {
                await _release.Task;
            }

            if (RoundTakes > TimeSpan.Zero)
            {
                time.Advance(RoundTakes);
            }

            return new ProbeEvidence(
                input.Ports.ToDictionary(p => p.Key, p => (IReadOnlyList<ProbeResult>)[new ProbeResult("loopback", $"127.0.0.1:{p.Port}", true, ProbeFailureReason.None, TimeSpan.Zero)]),
                new Dictionary<string, bool>());
        }

        public async Task<Call> NextCallAsync()
        {
            Assert.True(await _called.WaitAsync(Guard), "no probe round started");
            Assert.True(_calls.TryDequeue(out var call));
            return call;
        }

        public void Release() => _release.TrySetResult();
    }

    private sealed record Call(DateTimeOffset At, DateTimeOffset Deadline, ProbePlanInput Input);
}
