namespace PortExporter.Core.Configuration;

/// <summary>The <c>probes:</c> section.</summary>
/// <param name="Enabled">Whether this host probes its watched ports at all.</param>
/// <param name="Timeout">Deadline of one probe.</param>
/// <param name="Concurrency">How many probes of one scrape run at once.</param>
public sealed record ProbeSettings(bool Enabled, TimeSpan Timeout, int Concurrency)
{
    public static ProbeSettings Default { get; } = new(true, ConfigDefaults.ProbeTimeout, ConfigDefaults.ProbeConcurrency);
}
