using System.Text.Json.Serialization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Diagnosis;

/// <summary>The documented JSON object of <c>diagnose --output json</c> and <c>/diagnose</c>.</summary>
public sealed record DiagnosisReport(
    [property: JsonPropertyName("generated_at")] DateTimeOffset GeneratedAt,
    [property: JsonPropertyName("healthy")] bool Healthy,
    [property: JsonPropertyName("ports")] IReadOnlyList<PortReport> Ports,
    [property: JsonPropertyName("collectors")] IReadOnlyList<CollectorReport> Collectors)
{
    /// <summary>Collectors disabled with <c>--no-collector.NAME</c>: not run, their evidence not collected.</summary>
    [JsonPropertyName("not_collected")]
    public IReadOnlyList<string> NotCollected { get; init; } = [];

    /// <summary>Drift from the baseline file (<c>--baseline.file</c>); null when none is configured.</summary>
    [JsonPropertyName("baseline")]
    public Baseline.BaselineReport? Baseline { get; init; }

    public static DiagnosisReport From(EvidenceSnapshot evidence, IReadOnlyList<Diagnosis> diagnoses) => new(
        evidence.TakenAt,
        diagnoses.All(d => d.IsHealthy),
        [.. diagnoses.Select(PortReport.From)],
        [.. evidence.Collectors.Select(c => new CollectorReport(c.Key, c.Value.Success, c.Value.Duration.TotalSeconds, c.Value.Error))])
    {
        NotCollected = evidence.Disabled,
    };
}

/// <summary>One port in <see cref="DiagnosisReport"/>.</summary>
public sealed record PortReport(
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("protocol")] string Protocol,
    [property: JsonPropertyName("cause")] string Cause,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("fix")] string? Fix,
    [property: JsonPropertyName("findings")] IReadOnlyList<string> Findings,
    [property: JsonPropertyName("evidence")] IReadOnlyList<StepReport> Evidence,
    [property: JsonPropertyName("missing")] IReadOnlyList<string> Missing)
{
    public static PortReport From(Diagnosis d) => new(
        d.Port.Name,
        d.Port.Port,
        d.Port.Protocol.ToLabel(),
        d.Cause.ToLabel(),
        d.Summary,
        d.Fix,
        [.. d.Findings.Select(f => f.ToLabel())],
        [.. d.Steps.Select(s => new StepReport(s.Check, s.Status.ToString().ToLowerInvariant(), s.Observed, s.Command))],
        d.Missing)
    {
        Expose = d.Port.Expose.ToLabel(),
        Origin = d.Port.Origin.ToLabel(),
    };

    /// <summary>Where the port must be reachable from: public, internal or local.</summary>
    [JsonPropertyName("expose")]
    public string Expose { get; init; } = "public";

    /// <summary>Who said so: config or inferred (auto-watch).</summary>
    [JsonPropertyName("origin")]
    public string Origin { get; init; } = "config";
}

/// <summary>One evidence step in <see cref="PortReport"/>.</summary>
public sealed record StepReport(
    [property: JsonPropertyName("check")] string Check,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("observed")] string Observed,
    [property: JsonPropertyName("command")] string? Command);

/// <summary>One collector's outcome in <see cref="DiagnosisReport"/>.</summary>
public sealed record CollectorReport(
    [property: JsonPropertyName("collector")] string Collector,
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("duration_seconds")] double DurationSeconds,
    [property: JsonPropertyName("error")] string? Error);
