using PortExporter.Core.Configuration;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// The blocking causes are named only when the port's intent says it must be reachable from the failing side: a
/// rule that checks the outside path is skipped for an internal or local port, the loopback check for a local one.
/// </summary>
internal static class IntentGate
{
    /// <summary>Skipped when <paramref name="port"/>'s intent is not one of <paramref name="promised"/>; else null.</summary>
    public static RuleOutcome? Unless(PortSpec port, string check, string side, params PortExpose[] promised) =>
        promised.Contains(port.Expose)
            ? null
            : RuleOutcome.Skipped(check, $"expose {port.Expose.ToLabel()} ({port.Origin.ToLabel()}): not promised to be reachable {side}");
}
