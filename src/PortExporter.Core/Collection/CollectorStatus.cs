namespace PortExporter.Core.Collection;

/// <summary>How one enabled collector fared in one collection.</summary>
/// <param name="Success">False when it threw or timed out; its evidence is then missing.</param>
/// <param name="Duration">Wall time it took.</param>
/// <param name="Error">One line on why it failed.</param>
public sealed record CollectorStatus(bool Success, TimeSpan Duration, string? Error = null);
