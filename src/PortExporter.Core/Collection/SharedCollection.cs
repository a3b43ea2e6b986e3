namespace PortExporter.Core.Collection;

/// <summary>
/// Coalesces concurrent requests for the same work: while one run is in flight, every caller awaits it
/// instead of starting another. Two scrapes at once share one collection. Thread-safe.
/// </summary>
/// <typeparam name="T">The result of one run.</typeparam>
public sealed class SharedCollection<T>
{
    private readonly Lock _gate = new();
    private Task<T>? _inFlight;

    /// <summary>Joins the run in flight, or starts <paramref name="run"/> when none is.</summary>
    public Task<T> RunAsync(Func<Task<T>> run)
    {
        lock (_gate)
        {
            if (_inFlight is { IsCompleted: false })
            {
                return _inFlight;
            }

            var task = Task.Run(run);
            _inFlight = task;
            return task;
        }
    }
}
