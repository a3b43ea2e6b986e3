namespace PortExporter.Core.Baseline;

/// <summary>One difference between the baseline and the live host.</summary>
/// <param name="Port">The port it is about; null for a host-wide difference (a ruleset's fingerprint).</param>
/// <param name="Service">The port's service (the live one, or the baseline's for a gone port); the backend for a ruleset.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Change">What changed, for a human: "outside verdict accept -> drop (rule `...`)".</param>
public sealed record DriftItem(PortKey? Port, string Service, DriftKind Kind, string Change)
{
    /// <summary>The line <c>baseline --check</c> prints: "8080/tcp: outside verdict accept -> drop (rule `...`)".</summary>
    public override string ToString() => Port is { } port ? $"{port}: {Change}" : $"host: {Change}";
}
