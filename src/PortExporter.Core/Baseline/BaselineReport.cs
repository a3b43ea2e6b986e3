using System.Text.Json.Serialization;

namespace PortExporter.Core.Baseline;

/// <summary>The baseline part of the diagnosis report (<c>/diagnose</c>, <c>diagnose --output json</c>).</summary>
/// <param name="File">The baseline file (<c>--baseline.file</c>).</param>
/// <param name="Loaded">False when the file could not be read or is invalid: drift is then unknown.</param>
/// <param name="Error">Why it could not be loaded (file:line: key: what was expected), or null.</param>
/// <param name="Drift">What differs from the baseline; null when unknown (not loaded).</param>
public sealed record BaselineReport(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("loaded")] bool Loaded,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("drift")] IReadOnlyList<DriftReport>? Drift);

/// <summary>One drift item in <see cref="BaselineReport"/>; port and protocol are null for a ruleset's change.</summary>
public sealed record DriftReport(
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("port")] int? Port,
    [property: JsonPropertyName("protocol")] string? Protocol,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("change")] string Change)
{
    public static DriftReport From(DriftItem item) =>
        new(item.Service, item.Port?.Port, item.Port?.Protocol.ToLabel(), item.Kind.ToLabel(), item.Change);
}
