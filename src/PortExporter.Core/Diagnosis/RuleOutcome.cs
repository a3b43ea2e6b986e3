namespace PortExporter.Core.Diagnosis;

/// <summary>What one rule found for one port.</summary>
/// <param name="Step">The evidence step to show.</param>
/// <param name="Summary">When the cause holds: one sentence naming it with the evidence.</param>
/// <param name="Fix">When the cause holds: the fix the case gives, made concrete for this port.</param>
public sealed record RuleOutcome(EvidenceStep Step, string? Summary = null, string? Fix = null)
{
    public bool Holds => Step.Status == StepStatus.Fail;

    public bool IsMissing => Step.Status == StepStatus.Missing;

    public static RuleOutcome Cause(string check, string observed, string command, string summary, string fix) =>
        new(new EvidenceStep(check, StepStatus.Fail, observed, command), summary, fix);

    public static RuleOutcome Clear(string check, string observed, string? command = null) =>
        new(new EvidenceStep(check, StepStatus.Pass, observed, command));

    public static RuleOutcome Missing(string check, string what, string? command = null) =>
        new(new EvidenceStep(check, StepStatus.Missing, what, command));

    public static RuleOutcome Skipped(string check, string why) =>
        new(new EvidenceStep(check, StepStatus.Skipped, why));
}
