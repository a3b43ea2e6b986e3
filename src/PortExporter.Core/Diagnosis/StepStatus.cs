namespace PortExporter.Core.Diagnosis;

/// <summary>How one check of the evidence chain came out.</summary>
public enum StepStatus
{
    /// <summary>The check passed: this cause does not hold.</summary>
    Pass,

    /// <summary>The check failed: this cause holds.</summary>
    Fail,

    /// <summary>The evidence for the check is missing.</summary>
    Missing,

    /// <summary>The check does not apply to this port (nothing configured for it).</summary>
    Skipped,
}
