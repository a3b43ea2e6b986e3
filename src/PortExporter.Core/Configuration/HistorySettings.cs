namespace PortExporter.Core.Configuration;

/// <summary>The <c>history:</c> section: how much of each watched port's timeline of evidence changes is kept.</summary>
/// <param name="MaxEvents">Events kept per port at most; the oldest go first.</param>
/// <param name="MaxAge">Events older than this are dropped.</param>
public sealed record HistorySettings(int MaxEvents, TimeSpan MaxAge)
{
    /// <summary>The most <c>history.max_events</c> accepted.</summary>
    public const int MaxMaxEvents = 10_000;

    public static HistorySettings Default { get; } = new(ConfigDefaults.HistoryMaxEvents, ConfigDefaults.HistoryMaxAge);
}
