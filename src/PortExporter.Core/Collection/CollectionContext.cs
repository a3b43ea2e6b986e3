using PortExporter.Core.Configuration;

namespace PortExporter.Core.Collection;

/// <summary>What every collector gets: the config in force, the host's roots, the clock and the deadline.</summary>
/// <param name="Config">The config of this collection.</param>
/// <param name="Paths">procfs / sysfs / rootfs roots.</param>
/// <param name="Time">The clock (tests inject their own).</param>
/// <param name="Deadline">When the scrape must have answered; the runner cancels every collector at it.</param>
public sealed record CollectionContext(ExporterConfig Config, HostPaths Paths, TimeProvider Time, DateTimeOffset Deadline)
{
    /// <summary>
    /// Half the time left before <see cref="Deadline"/> (zero once it has passed): what one slow step of the host
    /// facts (a hung <c>systemctl</c>) may take, so the per-port evidence that runs after the host facts keeps its time.
    /// </summary>
    public TimeSpan HalfTimeLeft()
    {
        var half = (Deadline - Time.GetUtcNow()) / 2;
        return half > TimeSpan.Zero ? half : TimeSpan.Zero;
    }
}
