namespace PortExporter.Core.Collection;

/// <summary>What a collector gets besides the evidence so far.</summary>
/// <param name="Paths">procfs / sysfs / rootfs roots.</param>
/// <param name="Time">The clock (tests inject their own).</param>
/// <param name="Deadline">When the scrape must have answered; probes stop before it.</param>
public sealed record CollectionContext(HostPaths Paths, TimeProvider Time, DateTimeOffset Deadline)
{
    /// <summary>
    /// Half the time left before <see cref="Deadline"/> (zero once it has passed): what one slow step (a tool, a first
    /// read) may take, so the collectors after it keep theirs.
    /// </summary>
    public TimeSpan HalfTimeLeft()
    {
        var half = (Deadline - Time.GetUtcNow()) / 2;
        return half > TimeSpan.Zero ? half : TimeSpan.Zero;
    }
}
