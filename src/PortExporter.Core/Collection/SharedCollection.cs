namespace PortExporter.Core.Collection;

/// <summary>
/// One run at a time, shared, on <see cref="BackgroundRefresh{T}"/>: while a run is in flight every caller awaits it
/// instead of starting another (at most one collection runs, however many scrapes arrive), and a finished result that
/// the caller still finds fresh is returned without a run at all (a burst of scrapes costs one collection per
/// freshness window). A failed run is not reused. Thread-safe.
/// </summary>
/// <typeparam name="T">The result of one run.</typeparam>
public sealed class SharedCollection<T>(TimeProvider time) : IDisposable
    where T : class
{
    private readonly BackgroundRefresh<T> _refresh = new(time);

    public SharedCollection()
        : this(TimeProvider.System)
    {
    }

    /// <summary>
    /// The run in flight, else the last result when <paramref name="fresh"/> accepts it, else a new run of
    /// <paramref name="run"/>. <paramref name="starting"/> is called when a new run starts, under the lock that
    /// publishes it: whatever it records is visible to every caller that is handed that run.
    /// </summary>
    public Task<T> RunAsync(Func<Task<T>> run, Func<T, bool>? fresh = null, Action? starting = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var started = _refresh.StartIf(
            state =>
            {
                var due = state.Current is not { } last || fresh is null || !fresh(last) || state.Failure is not null;
                if (due)
                {
                    starting?.Invoke();
                }

                return due;
            },
            _ => run());
        return started ?? Task.FromResult(_refresh.State.Current!);
    }

    public void Dispose() => _refresh.Dispose();
}
