using PortExporter.Core.Collection;
using PortExporter.Core.Diagnosis;

namespace PortExporter.Hosting;

/// <summary>One collection and the diagnosis made from it.</summary>
public sealed record CollectedState(EvidenceSnapshot Evidence, IReadOnlyList<Diagnosis> Diagnoses)
{
    /// <summary>The timeline of evidence changes per port after this collection; null when none is kept.</summary>
    public System.Collections.Immutable.ImmutableDictionary<Core.PortKey, Core.Timeline.PortHistory>? Timeline { get; init; }

    public DiagnosisReport Report() => Core.Timeline.PortTimelineReport.Attach(DiagnosisReport.From(Evidence, Diagnoses), Timeline);

    /// <summary>The report with the drift from <paramref name="baseline"/> (when one is configured).</summary>
    public DiagnosisReport Report(Core.Baseline.BaselineSource baseline) => Report() with { Baseline = baseline?.Report(Evidence) };
}
