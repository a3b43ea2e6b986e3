using System.Text.Json.Serialization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;

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
        Firewall = [.. d.FirewallSources.Select(FirewallSourceReport.From)],
    };

    /// <summary>The firewall's verdict per source: outside, inside and each <c>from:</c> range.</summary>
    [JsonPropertyName("firewall")]
    public IReadOnlyList<FirewallSourceReport> Firewall { get; init; } = [];

    /// <summary>Where the port must be reachable from: public, internal or local.</summary>
    [JsonPropertyName("expose")]
    public string Expose { get; init; } = "public";

    /// <summary>Who said so: config or inferred (auto-watch).</summary>
    [JsonPropertyName("origin")]
    public string Origin { get; init; } = "config";

    /// <summary>Since when the diagnosis holds and what changed before the port broke; null where no timeline is kept.</summary>
    [JsonPropertyName("timeline")]
    public Timeline.PortTimelineReport? Timeline { get; init; }
}

/// <summary>The firewall's verdict for one source in <see cref="PortReport"/>.</summary>
/// <param name="Source">outside, inside, or a <c>from:</c> range (the <c>source</c> label of <c>port_firewall_verdict_info</c>).</param>
/// <param name="Verdict">accept, drop, reject or unknown.</param>
/// <param name="Rule">The deciding rule (backend, table, chain, rule) or chain policy.</param>
/// <param name="Connection">What was simulated: protocol, source -> destination:port on the arriving interface (or why nothing could be).</param>
/// <param name="Addresses">The source addresses simulated (a range: its first usable address and its other end).</param>
public sealed record FirewallSourceReport(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("rule")] string Rule,
    [property: JsonPropertyName("connection")] string Connection,
    [property: JsonPropertyName("addresses")] IReadOnlyList<string> Addresses)
{
    /// <summary>Why the verdict is what it is when the rule alone does not say (an unknown match, ends of a range told apart).</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    public static FirewallSourceReport From(SourceVerdict s) => new(
        s.Source,
        s.Decision.Verdict.ToString().ToLowerInvariant(),
        s.Decision.Table.Length == 0 ? s.Decision.Rule : $"{s.Decision.Backend} table {s.Decision.Table} chain {s.Decision.Chain}: {s.Decision.Rule}",
        s.Connection?.ToString() ?? string.Empty,
        [.. (s.Addresses.Count > 0 ? s.Addresses : s.Connection is { } c ? [c.Source] : []).Select(a => a.ToString())])
    {
        Detail = s.Decision.Detail,
    };
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
