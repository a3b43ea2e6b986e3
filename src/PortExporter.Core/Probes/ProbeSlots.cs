namespace PortExporter.Core.Probes;

/// <summary>
/// The probes of one round or one <c>/probe</c> request run at most <c>probes.concurrency</c> at once, in the
/// order they were handed in, and each also holds a place of the process-wide <see cref="ProbeGate"/>
/// (<c>probes.max_in_flight</c>) while it runs. A probe that cannot start at least <see cref="ProbeLimits.MinProbeWindow"/> before the
/// deadline is skipped (counted, no result): it is never reported as a timeout it did not have. Thread-safe; dispose after every run has finished.
/// </summary>
internal sealed class ProbeSlots : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly DateTimeOffset _deadline;
    private readonly TimeProvider _time;
    private readonly CancellationToken _cancellationToken;
    private readonly ProbeWindow _window;
    private readonly ProbeGate _gate;
    private int _skipped;

    public ProbeSlots(int concurrency, ProbeGate gate, DateTimeOffset deadline, TimeProvider time, CancellationToken cancellationToken)
    {
        _gate = gate;
        _slots = new SemaphoreSlim(Math.Max(1, concurrency));
        _deadline = deadline;
        _time = time;
        _cancellationToken = cancellationToken;
        _window = Probing.Window(deadline - ProbeLimits.MinProbeWindow, time, cancellationToken);
    }

    public int Skipped => Volatile.Read(ref _skipped);

    /// <summary>Runs <paramref name="job"/> when a slot is free; null when none was before the deadline.</summary>
    public async Task<T?> RunAsync<T>(Func<CancellationToken, Task<T>> job)
        where T : class
    {
        try
        {
            await _slots.WaitAsync(_window.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _skipped);
            return null;
        }

        try
        {
            IDisposable place;
            try
            {
                place = await _gate.AcquireAsync(_window.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _skipped);
                return null;
            }

            using (place)
            {
                if (_deadline - _time.GetUtcNow() < ProbeLimits.MinProbeWindow)
                {
                    Interlocked.Increment(ref _skipped);
                    return null;
                }

                return await job(_cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose()
    {
        _window.Dispose();
        _slots.Dispose();
    }
}
