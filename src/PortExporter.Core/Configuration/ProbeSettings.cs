namespace PortExporter.Core.Configuration;

/// <summary>The <c>probes:</c> section.</summary>
/// <param name="Enabled">Whether this host probes its watched ports at all.</param>
/// <param name="Timeout">Deadline of one probe.</param>
/// <param name="Concurrency">How many probes of one probe round or one <c>/probe</c> request run at once.</param>
public sealed record ProbeSettings(bool Enabled, TimeSpan Timeout, int Concurrency)
{
    public static ProbeSettings Default { get; } = new(true, ConfigDefaults.ProbeTimeout, ConfigDefaults.ProbeConcurrency);

    /// <summary>
    /// <c>probes.max_in_flight</c>: how many probe connections (and requests to remote vantages) the whole process has
    /// in flight at once, every collection and every <c>/probe</c> request together.
    /// </summary>
    public int MaxInFlight { get; init; } = ConfigDefaults.ProbeMaxInFlight;

    /// <summary>
    /// <c>probes.interval</c>: how often this host probes its watched ports (and asks its remote vantages), on its own
    /// schedule, whatever the number of scrapers; a result older than two intervals is stale and no evidence.
    /// </summary>
    public TimeSpan Interval { get; init; } = ConfigDefaults.ProbeInterval;

    /// <summary><c>probes.client_rate_limit</c>: how often one client may call <c>/probe</c>.</summary>
    public ClientRateLimit ClientRateLimit { get; init; } = ClientRateLimit.Default;
}
