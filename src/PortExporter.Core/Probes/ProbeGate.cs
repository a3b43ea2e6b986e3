namespace PortExporter.Core.Probes;

/// <summary>
/// The one process-wide cap on probe connections in flight (<c>probes.max_in_flight</c>): every probe of every
/// probe round and of every <c>/probe</c> request, and every request to a remote vantage, holds a place while it
/// connects and waits. Waiters are served first come, first served. The capacity is read at every acquire and
/// release, so a reloaded config takes effect without dropping anything in flight. Thread-safe.
/// </summary>
public sealed class ProbeGate
{
    private readonly Func<int> _capacity;
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _inFlight;
    private int _peak;

    /// <param name="capacity">The cap in force (read often: keep it cheap); values below 1 count as 1.</param>
    public ProbeGate(Func<int> capacity) => _capacity = capacity;

    /// <summary>A gate with no cap of its own, for a prober used alone (the host always shares one capped gate).</summary>
    public static ProbeGate Unbounded() => new(() => int.MaxValue);

    /// <summary>Places held now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>The most places ever held at once.</summary>
    public int Peak
    {
        get
        {
            lock (_gate)
            {
                return _peak;
            }
        }
    }

    /// <summary>Waits for a place; dispose the result to give it back. Throws <see cref="OperationCanceledException"/> when cancelled first.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource waiter;
        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            GrantWaiting();
            if (_waiters.Count == 0 && _inFlight < Capacity())
            {
                Take();
                return new Place(this);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        await using (cancellationToken.Register(() => Abandon(node, cancellationToken)).ConfigureAwait(false))
        {
            await waiter.Task.ConfigureAwait(false);
        }

        return new Place(this);
    }

    private int Capacity() => Math.Max(1, _capacity());

    /// <summary>Takes a place; the caller holds the lock.</summary>
    private void Take()
    {
        _inFlight++;
        _peak = Math.Max(_peak, _inFlight);
    }

    /// <summary>A cancelled waiter leaves the queue; one already granted keeps its place (its awaiter gets it).</summary>
    private void Abandon(LinkedListNode<TaskCompletionSource> node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (node.List is null)
            {
                return;
            }

            _waiters.Remove(node);
        }

        node.Value.TrySetCanceled(cancellationToken);
    }

    private void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            GrantWaiting();
        }
    }

    /// <summary>Hands free places to the first waiters (after a release, or when a reload raised the capacity); the caller holds the lock.</summary>
    private void GrantWaiting()
    {
        while (_waiters.First is { } next && _inFlight < Capacity())
        {
            _waiters.RemoveFirst();
            Take();
            next.Value.TrySetResult();
        }
    }

    private sealed class Place(ProbeGate gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
