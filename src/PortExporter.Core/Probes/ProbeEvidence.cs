namespace PortExporter.Core.Probes;

/// <summary>The probe collector's result.</summary>
/// <param name="Ports">Per watched port, every probe run for it this collection.</param>
/// <param name="VantageUp">Per configured remote vantage: whether it answered. A vantage that was not asked (its
/// request could not start before the deadline) has no entry.</param>
/// <param name="Skipped">Probes and remote requests that could not start before the scrape deadline: raise
/// <c>probes.concurrency</c> or lower <c>probes.timeout</c> when this is not zero.</param>
public sealed record ProbeEvidence(
    IReadOnlyDictionary<PortKey, IReadOnlyList<ProbeResult>> Ports,
    IReadOnlyDictionary<string, bool> VantageUp,
    int Skipped = 0);
