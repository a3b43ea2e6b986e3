namespace PortExporter.Core.Collection;

/// <summary>
/// One run at a time, shared: while a run is in flight every caller awaits it instead of starting another (at most
/// one collection runs, however many scrapes arrive), and a finished result that the caller still finds fresh is
/// returned without a run at all (a burst of scrapes costs one collection per freshness window). Thread-safe.
/// </summary>
/// <typeparam name="T">The result of one run.</typeparam>
public sealed class SharedCollection<T>
    where T : class
{
    private readonly Lock _gate = new();
    private Task<T>? _inFlight;
    private T? _last;

    /// <summary>
    /// The last result when <paramref name="fresh"/> accepts it, else the run in flight, else a new run of
    /// <paramref name="run"/>.
    /// </summary>
    public Task<T> RunAsync(Func<Task<T>> run, Func<T, bool>? fresh = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            if (_inFlight is { IsCompleted: false })
            {
                return _inFlight;
            }

            if (_inFlight is { IsCompletedSuccessfully: true } done)
            {
                _last = done.Result;
            }

            if (_last is { } last && fresh is not null && fresh(last))
            {
                return Task.FromResult(last);
            }

            var task = Task.Run(run);
            _inFlight = task;
            return task;
        }
    }
}
