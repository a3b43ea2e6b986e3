namespace PortExporter.Core.Diagnosis;

/// <summary>One link of the evidence chain: what was checked, how it came out, what was seen, how to confirm it by hand.</summary>
public sealed record EvidenceStep(string Check, StepStatus Status, string Observed, string? Command = null);
