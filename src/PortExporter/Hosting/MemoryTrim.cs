namespace PortExporter.Hosting;

/// <summary>
/// Gives memory back to the host after the exporter's rare large, short-lived allocations: the first collection
/// (every process's open files listed once to find the owners) and each new firewall ruleset snapshot (the
/// whole <c>nft -j</c> and <c>iptables-save</c> output parsed, 3.7 MB of JSON at 10k rules). Steady scrapes
/// allocate little, so the GC would otherwise keep that peak committed for a long time. The trim is one
/// aggressive, compacting, blocking collection on a pool thread, at most one at a time and at most once per
/// <see cref="MinInterval"/> (one asked for sooner waits for a later collection). Thread-safe.
/// </summary>
public sealed class MemoryTrim(TimeProvider time)
{
    /// <summary>
    /// Trims closer together than this wait: the ruleset refresh interval is 30 s by default, and one trim costs a
    /// few milliseconds on a heap this small. Short, so the trim for the first snapshot (read a second after the
    /// first collection's trim) comes before the next scrapes have built on top of its garbage.
    /// </summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private DateTimeOffset? _firewallSnapshot;
    private DateTimeOffset _last = DateTimeOffset.MinValue;
    private bool _pending = true;
    private int _running;
    private int _requested;

    /// <summary>How many trims were started (tests).</summary>
    internal int Requested => Volatile.Read(ref _requested);

    /// <summary>Called after each collection with its firewall snapshot time; trims after the first and after a new snapshot.</summary>
    public void AfterCollection(DateTimeOffset? firewallSnapshot)
    {
        lock (_gate)
        {
            _pending |= firewallSnapshot is not null && firewallSnapshot != _firewallSnapshot;
            _firewallSnapshot = firewallSnapshot ?? _firewallSnapshot;
            var now = time.GetUtcNow();
            if (!_pending || now - _last < MinInterval)
            {
                return;
            }

            _pending = false;
            _last = now;
        }

        if (Interlocked.Exchange(ref _running, 1) == 0)
        {
            Interlocked.Increment(ref _requested);
            ThreadPool.UnsafeQueueUserWorkItem(
                static self =>
                {
                    try
                    {
                        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    }
                    finally
                    {
                        Volatile.Write(ref self._running, 0);
                    }
                },
                this,
                preferLocal: false);
        }
    }
}
