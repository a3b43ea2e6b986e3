using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Probes;

/// <summary>
/// Probes on their own schedule, off the scrape path: one round (<see cref="IProbeRunner"/>) at start, then one every
/// <c>probes.interval</c> less a random jitter of up to <see cref="MaxJitter"/> of it (so hosts started together
/// drift apart), whatever the number of scrapers. A round probes the ports and listeners the latest collection handed
/// in (<see cref="Observe"/>), or the configured ports when that collection was of an older config, and ends by
/// <see cref="RoundBudget"/> of the interval, before the next round is due; so the results of a running schedule are
/// never two intervals old and older results are stale (<see cref="ProbeEvidence.WhyNotEvidence"/>). A reload
/// (<see cref="Wake"/>) starts a round at once with the new config (its ports, its interval). With probes off
/// (<c>probes.enabled: false</c>, <c>--no-collector.probes</c>) no round probes and no result is kept. A round that
/// throws keeps the previous results, which age into staleness. A round also probes every configured
/// <c>probe_targets</c> entry (a vantage's own outside view, which outlives the hosts it probes: nobody needs to ask
/// <c>/probe</c> for it). The bounds of a round are the collection's:
/// <c>probes.concurrency</c> and the process-wide <see cref="ProbeGate"/>. Thread-safe.
/// </summary>
public sealed class ProbeScheduler : IDisposable
{
    /// <summary>The largest share of the interval a round starts early by.</summary>
    public const double MaxJitter = 0.1;

    /// <summary>The share of the interval a round may take: it ends before the earliest next start.</summary>
    public const double RoundBudget = 1 - MaxJitter;

    private readonly IProbeRunner _runner;
    private readonly Func<ExporterConfig> _config;
    private readonly CollectorSwitches _switches;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _lastAnswered = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly HashSet<PortKey> _wokenFor = [];
    private TaskCompletionSource _wake = NewSignal();
    private volatile ProbePlanInput? _observed;
    private volatile ProbeEvidence? _latest;
    private long _rounds;

    /// <param name="runner">Runs one round.</param>
    /// <param name="config">The config in force (read at every round).</param>
    /// <param name="switches">The collector flags: no round probes with <c>--no-collector.probes</c>.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where a failed round is logged.</param>
    /// <param name="random">Uniform in [0, 1): the jitter of each round (tests give their own).</param>
    public ProbeScheduler(
        IProbeRunner runner, Func<ExporterConfig> config, CollectorSwitches switches, TimeProvider time, ILogger<ProbeScheduler> logger, Func<double>? random = null)
    {
        _runner = runner;
        _config = config;
        _switches = switches;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The results of the latest round (with <see cref="ProbeEvidence.RoundAt"/>), or null before the first or while probes are off.</summary>
    public ProbeEvidence? Latest => _latest;

    /// <summary>Rounds ended since start.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>How long after a round's start the next one starts: the interval less the jitter drawn from <paramref name="random"/> in [0, 1).</summary>
    public static TimeSpan NextDelay(TimeSpan interval, double random) => interval - (interval * (MaxJitter * Math.Clamp(random, 0, 1)));

    /// <summary>
    /// What the next round probes: the watched ports and the listeners a collection just saw. Cheap; never probes.
    /// A watched port the latest round did not probe (newly auto-watched) starts the next round at once, once per
    /// port (the new ports, not the scrapes, decide how often).
    /// </summary>
    public void Observe(ProbePlanInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _observed = input;
        if (_latest is not { } latest)
        {
            return;
        }

        lock (_gate)
        {
            var wake = false;
            foreach (var port in input.Ports)
            {
                if (!latest.Ports.ContainsKey(port.Key) && _wokenFor.Add(port.Key))
                {
                    wake = true;
                }
            }

            if (wake)
            {
                _wake.TrySetResult();
            }
        }
    }

    /// <summary>Starts the next round now (a reload: new ports, new interval).</summary>
    public void Wake()
    {
        lock (_gate)
        {
            _wake.TrySetResult();
        }
    }

    /// <summary>Runs rounds until <paramref name="cancellationToken"/> is cancelled or the scheduler disposed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var token = linked.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var started = _time.GetUtcNow();
                var config = _config();
                await RoundAsync(config, started, token).ConfigureAwait(false);
                await WaitAsync(started + NextDelay(config.Probes.Interval, _random()), started + ConfigDefaults.MinProbeInterval, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private async Task RoundAsync(ExporterConfig config, DateTimeOffset started, CancellationToken cancellationToken)
    {
        if (!config.Probes.Enabled || !_switches.IsEnabled(CollectorNames.Probes))
        {
            _latest = null;
            return;
        }

        var observed = _observed;
        var input = (observed is not null && ReferenceEquals(observed.Config, config)
            ? observed
            : new ProbePlanInput(config, observed?.Sockets, config.Ports)) with { WithTargets = true };
        try
        {
            var evidence = await _runner.RunAsync(input, started + (config.Probes.Interval * RoundBudget), cancellationToken).ConfigureAwait(false);
            var ended = _time.GetUtcNow();
            _latest = evidence with { RoundAt = ended, LastAnswered = Answered(config, evidence, ended) };
            lock (_gate)
            {
                _wokenFor.Clear();
            }

            Interlocked.Increment(ref _rounds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ProbeLog.RoundFailed(_logger, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Per vantage (local ones and configured remote ones only), when a round last got results from it.</summary>
    private Dictionary<string, DateTimeOffset> Answered(ExporterConfig config, ProbeEvidence evidence, DateTimeOffset ended)
    {
        lock (_gate)
        {
            foreach (var vantage in evidence.Ports.Values.SelectMany(r => r).Select(r => r.Vantage).Distinct(StringComparer.Ordinal))
            {
                _lastAnswered[vantage] = ended;
            }

            foreach (var (vantage, up) in evidence.VantageUp)
            {
                if (up)
                {
                    _lastAnswered[vantage] = ended;
                }
            }

            var known = config.Vantages.Select(v => v.Name).Concat(ConfigDefaults.LocalVantages).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _lastAnswered.Keys.Where(v => !known.Contains(v)).ToList())
            {
                _lastAnswered.Remove(gone);
            }

            return new Dictionary<string, DateTimeOffset>(_lastAnswered, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Waits until <paramref name="due"/>, or when woken (also by a wake during the round) until
    /// <paramref name="earliest"/>: rounds never start closer together than <see cref="ConfigDefaults.MinProbeInterval"/>.
    /// </summary>
    private async Task WaitAsync(DateTimeOffset due, DateTimeOffset earliest, CancellationToken cancellationToken)
    {
        Task woken;
        lock (_gate)
        {
            woken = _wake.Task;
        }

        var remaining = due - _time.GetUtcNow();
        if (!woken.IsCompleted && remaining > TimeSpan.Zero)
        {
            using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(remaining, _time, stopDelay.Token);
            await Task.WhenAny(delay, woken).ConfigureAwait(false);
            await stopDelay.CancelAsync().ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = NewSignal();
            }
        }

        var early = earliest - _time.GetUtcNow();
        if (early > TimeSpan.Zero)
        {
            await Task.Delay(early, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
