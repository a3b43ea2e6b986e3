using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Diagnosis;

/// <summary>One step of the case's reasoning: does this cause hold for this port, on this evidence? Pure.</summary>
public interface IDiagnosisRule
{
    Cause Cause { get; }

    /// <summary>
    /// True for a cause that means "everything on the host is right" (NAT / upstream): it is judged only when every
    /// earlier check is clear. Missing evidence earlier makes it missing too; an earlier cause explains it.
    /// </summary>
    bool RequiresClearHost => false;

    RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence);
}
