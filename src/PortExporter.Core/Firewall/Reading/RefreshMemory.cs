namespace PortExporter.Core.Firewall.Reading;

/// <summary>
/// Gives back the memory a large ruleset refresh used, once the new snapshot has replaced the old. Reading and
/// compiling 10k rules allocates about 40 MB that dies at once (the <c>nft -j</c> output, one small document per
/// rule, the old snapshot); the GC keeps the regions it grew for them committed, so without this the exporter's
/// resident size stays at the refresh's peak (86 against 43 MiB at 10k rules; measured in bench/RESULTS.md).
/// One blocking compacting collection that decommits the free regions (<see cref="GCCollectionMode.Aggressive"/>)
/// costs 10-130 ms on a heap of 8 MB, so it runs only after a refresh that allocated at least
/// <see cref="MinAllocatedBytes"/> (a few hundred rules never do) and at most once per <see cref="MinInterval"/>
/// however often the ruleset changes. Thread-safe.
/// </summary>
public sealed class RefreshMemory(TimeProvider time)
{
    /// <summary>Allocations of a refresh below which its garbage is left to the GC's own pace.</summary>
    public const long MinAllocatedBytes = 16L * 1024 * 1024;

    /// <summary>The least time between two collections.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private long? _last;

    /// <summary>Process-wide bytes allocated so far; a refresh's share is the difference across it.</summary>
    public static long AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: false);

    /// <summary>
    /// Collects when the refresh allocated at least <see cref="MinAllocatedBytes"/> and the last collection is
    /// <see cref="MinInterval"/> or more ago; true when it collected.
    /// </summary>
    /// <param name="allocatedDuringRefresh">Bytes the process allocated while the refresh ran.</param>
    public bool AfterRefresh(long allocatedDuringRefresh)
    {
        if (allocatedDuringRefresh < MinAllocatedBytes)
        {
            return false;
        }

        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_last is { } last && time.GetElapsedTime(last, now) < MinInterval)
            {
                return false;
            }

            _last = now;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return true;
    }
}
