using PortExporter.Core.Collection;
using PortExporter.Core.Diagnosis;

namespace PortExporter.Hosting;

/// <summary>One collection and the diagnosis made from it.</summary>
public sealed record CollectedState(EvidenceSnapshot Evidence, IReadOnlyList<Diagnosis> Diagnoses)
{
    public DiagnosisReport Report() => DiagnosisReport.From(Evidence, Diagnoses);

    /// <summary>The report with the drift from <paramref name="baseline"/> (when one is configured).</summary>
    public DiagnosisReport Report(Core.Baseline.BaselineSource baseline) => Report() with { Baseline = baseline?.Report(Evidence) };
}
