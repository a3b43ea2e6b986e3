using PortExporter.Core.Collection;
using PortExporter.Core.Diagnosis;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>Writes <c>port_diagnosis</c> (exactly one series per port) and <c>port_diagnosis_findings</c>.</summary>
public sealed class DiagnosisMetrics(IMetricFactory factory)
{
    private readonly SeriesSet _diagnosis = new(
        factory,
        "port_diagnosis",
        $"The root cause named for the watched port: 1 for the current cause ({string.Join(", ", CauseNames.All.Select(c => c.ToLabel()))}).",
        PortLabels.With("cause"));

    private readonly SeriesSet _findings = new(
        factory,
        "port_diagnosis_findings",
        "1 for every cause that holds for the watched port, the current cause first among them; fixing one will not clear the others.",
        PortLabels.With("cause"));

    public void Write(IReadOnlyList<Diagnosis.Diagnosis> diagnoses)
    {
        _diagnosis.Replace(diagnoses.Select(d => (PortLabels.Of(d.Port, d.Cause.ToLabel()), 1.0)));
        _findings.Replace(diagnoses.SelectMany(d => d.Findings.Select(f => (PortLabels.Of(d.Port, f.ToLabel()), 1.0))));
    }
}
