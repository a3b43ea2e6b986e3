using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis.Rules;

namespace PortExporter.Core.Diagnosis;

/// <summary>
/// The case's decision as a pure function from an evidence snapshot to one diagnosis per port. Rules run in
/// the case's order; the first that holds is the cause and later ones are further findings. Missing evidence
/// never yields ok, and the outside-only cause (NAT / upstream) is only named when every local check could be read.
/// </summary>
public static class Diagnoser
{
    /// <summary>The rules in the order the case reasons.</summary>
    public static IReadOnlyList<IDiagnosisRule> Rules { get; } =
    [
        new ProcessDownRule(),
        new NotListeningRule(),
        new NotAcceptingRule(),
        new BackendNotListeningRule(),
        new ExposedRule(),
        new LoopbackOnlyRule(),
        new WrongAddressRule(),
        new FirewallBlockedRule(),
        new SelinuxDeniedRule(),
        new NatOrUpstreamRule(),
    ];

    public static IReadOnlyList<Diagnosis> Diagnose(EvidenceSnapshot evidence) =>
        [.. evidence.Ports.Select(p => Diagnose(p, evidence))];

    public static Diagnosis Diagnose(PortSpec port, EvidenceSnapshot evidence)
    {
        var steps = new List<EvidenceStep>();
        var findings = new List<Cause>();
        var missing = new List<string>();
        RuleOutcome? decisive = null;
        Cause? cause = null;

        foreach (var rule in Rules)
        {
            var outcome = rule.Evaluate(port, evidence);
            if (rule.RequiresClearHost && cause is { } onHost && (outcome.Holds || outcome.IsMissing))
            {
                outcome = RuleOutcome.Skipped(outcome.Step.Check, $"{outcome.Step.Observed}; explained by {onHost.ToLabel()}, not {rule.Cause.ToLabel()}");
            }
            else if (rule.RequiresClearHost && outcome.Holds && missing.Count > 0)
            {
                outcome = RuleOutcome.Missing(outcome.Step.Check, $"{outcome.Step.Observed}; not blamed on {rule.Cause.ToLabel()} because evidence is missing");
            }

            steps.Add(outcome.Step);
            if (outcome.IsMissing)
            {
                missing.Add($"{outcome.Step.Check}: {outcome.Step.Observed}");
            }
            else if (outcome.Holds)
            {
                findings.Add(rule.Cause);
                if (cause is null)
                {
                    cause = rule.Cause;
                    decisive = outcome;
                }
            }
        }

        var sources = evidence.Firewall?.Ports.GetValueOrDefault(port.Key)?.Sources ?? [];
        if (cause is { } found)
        {
            return new Diagnosis(port, found, decisive!.Summary!, decisive.Fix, findings, steps, missing) { FirewallSources = sources };
        }

        return missing.Count > 0
            ? new Diagnosis(port, Cause.Unknown, $"Cannot decide: {string.Join("; ", missing)}.", "Restore the missing evidence (see the collector's log line), then look again.", findings, steps, missing) { FirewallSources = sources }
            : new Diagnosis(port, Cause.Ok, OkSummary(port), null, findings, steps, missing) { FirewallSources = sources };
    }

    private static string OkSummary(PortSpec port) => port.Expose switch
    {
        PortExpose.Local => $"{Describe(port)} keeps its promise (expose local): reachable on this host only; every check passed.",
        PortExpose.Internal => $"{Describe(port)} keeps its promise (expose internal): reachable from {(port.From.Count > 0 ? string.Join(", ", port.From.Select(r => r.ToCidr())) : "the internal networks")}, not from outside; every check passed.",
        _ when port.From.Count > 0 => $"{Describe(port)} is reachable from {string.Join(", ", port.From.Select(r => r.ToCidr()))}: every check passed.",
        _ => $"{Describe(port)} is reachable: every check passed.",
    };

    internal static string Describe(PortSpec port) => $"{port.Name} ({port.Port}/{port.Protocol.ToLabel()})";
}
