namespace PortExporter.Core.Probes;

/// <summary>The probe collector's result.</summary>
/// <param name="Ports">Per watched port, every probe run for it this collection.</param>
/// <param name="VantageUp">Per configured remote vantage: whether it answered.</param>
public sealed record ProbeEvidence(
    IReadOnlyDictionary<PortKey, IReadOnlyList<ProbeResult>> Ports,
    IReadOnlyDictionary<string, bool> VantageUp);
