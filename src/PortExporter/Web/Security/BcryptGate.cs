namespace PortExporter.Web.Security;

/// <summary>
/// Admits at most <c>capacity</c> bcrypt checks at once. Checks that cannot start wait in one queue per client and
/// are admitted round-robin across clients: a flood of wrong passwords from one client delays another client's
/// check by at most one admission per other client with checks waiting, not by the length of the flood. A client
/// may have at most <c>maxQueuedPerClient</c> checks waiting and all clients together <c>maxQueued</c>; beyond that
/// <see cref="TryEnterAsync"/> answers false at once. Every true must be followed by one <see cref="Release"/>.
/// Thread-safe.
/// </summary>
public sealed class BcryptGate(int capacity, int maxQueuedPerClient, int maxQueued)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ClientQueue> _queues = new(StringComparer.Ordinal);
    private readonly LinkedList<ClientQueue> _turns = new();
    private int _running;
    private int _queued;

    /// <summary>Checks admitted and not yet released.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>Checks waiting to be admitted.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queued;
            }
        }
    }

    /// <summary>Waits for a slot for <paramref name="client"/>'s check: false, at once, when its queue or all queues are full.</summary>
    public Task<bool> TryEnterAsync(string client)
    {
        lock (_lock)
        {
            if (_running < capacity && _queued == 0)
            {
                _running++;
                return Task.FromResult(true);
            }

            if (_queued >= maxQueued)
            {
                return Task.FromResult(false);
            }

            _queues.TryGetValue(client, out var queue);
            if ((queue?.Waiters.Count ?? 0) >= maxQueuedPerClient)
            {
                return Task.FromResult(false);
            }

            if (queue is null)
            {
                queue = new ClientQueue(client);
                _queues.Add(client, queue);
                _turns.AddLast(queue.Turn);
            }

            var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            queue.Waiters.Enqueue(waiter);
            _queued++;
            return waiter.Task;
        }
    }

    /// <summary>Ends an admitted check: its slot goes to the next client in turn, or is freed.</summary>
    public void Release()
    {
        TaskCompletionSource<bool>? next = null;
        lock (_lock)
        {
            if (_turns.First is { } turn)
            {
                var queue = turn.Value;
                _turns.RemoveFirst();
                next = queue.Waiters.Dequeue();
                _queued--;
                if (queue.Waiters.Count > 0)
                {
                    _turns.AddLast(turn);
                }
                else
                {
                    _queues.Remove(queue.Client);
                }
            }
            else
            {
                _running--;
            }
        }

        next?.SetResult(true);
    }

    private sealed class ClientQueue
    {
        public ClientQueue(string client)
        {
            Client = client;
            Turn = new LinkedListNode<ClientQueue>(this);
        }

        public string Client { get; }

        public LinkedListNode<ClientQueue> Turn { get; }

        public Queue<TaskCompletionSource<bool>> Waiters { get; } = new();
    }
}
