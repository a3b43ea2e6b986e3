namespace PortExporter.Core.Configuration;

/// <summary>
/// <c>probes.client_rate_limit</c>: a token bucket per client address (an IPv6 client's whole /64): <paramref name="Burst"/>
/// requests at once, then one more every <paramref name="Interval"/> (the keys of exporter-toolkit's <c>rate_limit</c>).
/// </summary>
public sealed record ClientRateLimit(TimeSpan Interval, int Burst)
{
    public static ClientRateLimit Default { get; } = new(ConfigDefaults.ProbeClientInterval, ConfigDefaults.ProbeClientBurst);
}
