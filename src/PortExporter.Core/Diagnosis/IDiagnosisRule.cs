using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Diagnosis;

/// <summary>One step of the case's reasoning: does this cause hold for this port, on this evidence? Pure.</summary>
public interface IDiagnosisRule
{
    Cause Cause { get; }

    RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence);
}
