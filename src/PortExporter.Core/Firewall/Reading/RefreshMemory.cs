namespace PortExporter.Core.Firewall.Reading;

/// <summary>
/// Gives back the memory a large ruleset refresh used, once the new snapshot has replaced the old. Reading 10k nft
/// rules allocates 5-6 MB that dies at once when nearly every rule is taken as the last read compiled it
/// (<see cref="PortExporter.Firewall.CompiledRuleCache"/>: the <c>nft -j</c> output, the parse), 20 MB when they are
/// all compiled (the first read); the GC keeps the regions it grew committed, and a heap this small is not collected
/// in full on the GC's own pace, so without this the exporter's resident size stays 10-18 MiB above it at 10k rules
/// (measured in bench/RESULTS.md, with and without the reuse). One blocking compacting collection that decommits the
/// free regions (<see cref="GCCollectionMode.Aggressive"/>) costs 10-130 ms on a heap of 8 MB, so it runs only
/// after a refresh that allocated at least <see cref="MinAllocatedBytes"/> (a thousand rules never do)
/// and at most once per <see cref="MinInterval"/>: a large refresh sooner than that is collected after it when the
/// interval has passed, however often the ruleset changes meanwhile. The interval is short against the refresh it
/// follows (reading 10k rules takes 1.5-2 s of CPU here) and shorter than <c>firewall.refresh_interval</c>'s 30 s,
/// so the collection after an interval refresh is never put off. Thread-safe; dispose to cancel a deferred collection.
/// </summary>
public sealed class RefreshMemory(TimeProvider time) : IDisposable
{
    /// <summary>Allocations of a refresh below which its garbage is left to the GC's own pace.</summary>
    public const long MinAllocatedBytes = 4L * 1024 * 1024;

    /// <summary>The least time between two collections.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private long? _last;
    private ITimer? _deferred;
    private bool _disposed;

    /// <summary>Full collections this instance has run (tests, logs).</summary>
    public int Collections { get; private set; }

    /// <summary>Process-wide bytes allocated so far; a refresh's share is the difference across it.</summary>
    public static long AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: false);

    /// <summary>
    /// After a refresh that allocated at least <see cref="MinAllocatedBytes"/>: collects now when the last
    /// collection is <see cref="MinInterval"/> or more ago (true), else once that interval has passed (false).
    /// </summary>
    /// <param name="allocatedDuringRefresh">Bytes the process allocated while the refresh ran.</param>
    public bool AfterRefresh(long allocatedDuringRefresh)
    {
        if (allocatedDuringRefresh < MinAllocatedBytes)
        {
            return false;
        }

        lock (_gate)
        {
            if (_disposed || _deferred is not null)
            {
                return false;
            }

            var now = time.GetTimestamp();
            if (_last is { } last && time.GetElapsedTime(last, now) is var since && since < MinInterval)
            {
                _deferred = time.CreateTimer(_ => Deferred(), null, MinInterval - since, Timeout.InfiniteTimeSpan);
                return false;
            }

            _last = now;
        }

        Collect();
        return true;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _deferred?.Dispose();
            _deferred = null;
        }
    }

    private void Deferred()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _deferred?.Dispose();
            _deferred = null;
            _last = time.GetTimestamp();
        }

        Collect();
    }

    private void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        lock (_gate)
        {
            Collections++;
        }
    }
}
