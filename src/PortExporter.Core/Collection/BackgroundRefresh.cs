namespace PortExporter.Core.Collection;

/// <summary>
/// The one refresh primitive of every cached source (the firewall ruleset, the SELinux port table, the last
/// collection): a value rebuilt off the caller's path, at most one rebuild at a time. A caller asks for a rebuild
/// with <see cref="StartIf"/>, whose condition sees the <see cref="RefreshState{T}"/> under the same lock that starts
/// the rebuild, so two callers never start two; it gets the rebuild in flight (started now or earlier) to await, or
/// null when none runs, and decides itself whether to wait for it or go on with <see cref="RefreshState{T}.Current"/>.
/// A rebuild that throws keeps the previous value and records the failure until a rebuild succeeds. Rebuilds run on
/// the pool with a token cancelled by <see cref="Dispose"/>. Thread-safe.
/// </summary>
/// <typeparam name="T">The cached value.</typeparam>
public sealed class BackgroundRefresh<T>(TimeProvider time) : IDisposable
    where T : class
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _lifetime = new();
    private RefreshState<T> _state = new(null, null, null, null, null, null);

    /// <summary>Called after each rebuild, with the state it left (on the pool thread that ran it).</summary>
    public event Action<RefreshState<T>, Exception?>? Completed;

    /// <summary>The state now.</summary>
    public RefreshState<T> State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>
    /// The rebuild in flight; else, when <paramref name="due"/> holds for the state, a rebuild by
    /// <paramref name="load"/> started now; else null.
    /// </summary>
    public Task<T>? StartIf(Func<RefreshState<T>, bool> due, Func<CancellationToken, Task<T>> load)
    {
        ArgumentNullException.ThrowIfNull(due);
        ArgumentNullException.ThrowIfNull(load);
        lock (_gate)
        {
            if (_state.InFlight is { IsCompleted: false } running)
            {
                return running;
            }

            if (!due(_state))
            {
                return null;
            }

            // The task handed out completes after the state is updated: whoever awaits it sees the new state.
            var token = _lifetime.Token;
            var started = time.GetUtcNow();
            var task = Task.Run(() => load(token), token)
                .ContinueWith(Finish, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .Unwrap();
            _state = _state with { InFlight = task, LastStarted = started };
            return task;
        }
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private Task<T> Finish(Task<T> task)
    {
        RefreshState<T> state;
        Exception? error = null;
        lock (_gate)
        {
            if (task.IsCompletedSuccessfully)
            {
                _state = _state with { Current = task.Result, CurrentAt = time.GetUtcNow(), Failure = null, FailedAt = null, InFlight = null };
            }
            else
            {
                error = task.Exception?.GetBaseException() ?? new OperationCanceledException("refresh cancelled");
                _state = _state with { Failure = error, FailedAt = time.GetUtcNow(), InFlight = null };
            }

            state = _state;
        }

        Completed?.Invoke(state, error);
        return task;
    }
}

/// <summary>What a <see cref="BackgroundRefresh{T}"/> holds. Immutable.</summary>
/// <param name="Current">The last value built, or null before the first success.</param>
/// <param name="CurrentAt">When it was built.</param>
/// <param name="Failure">Why the last rebuild failed, when none has succeeded since.</param>
/// <param name="FailedAt">When that rebuild failed.</param>
/// <param name="LastStarted">When the last rebuild started.</param>
/// <param name="InFlight">The rebuild running now, or null.</param>
public sealed record RefreshState<T>(
    T? Current, DateTimeOffset? CurrentAt, Exception? Failure, DateTimeOffset? FailedAt, DateTimeOffset? LastStarted, Task<T>? InFlight)
    where T : class;
