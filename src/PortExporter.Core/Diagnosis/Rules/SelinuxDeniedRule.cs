using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Selinux;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>D: SELinux enforces and the port's label is wrong, or it denied the service on this port.</summary>
public sealed class SelinuxDeniedRule : IDiagnosisRule
{
    private const string Check = "selinux";

    public Cause Cause => Cause.SelinuxDenied;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (evidence.Selinux is not { } selinux)
        {
            return RuleOutcome.Missing(Check, $"SELinux evidence {evidence.WhyMissing(CollectorNames.Selinux)}", "getenforce");
        }

        if (!selinux.Enabled || selinux.CurrentMode != SelinuxMode.Enforcing)
        {
            return RuleOutcome.Clear(Check, selinux.Enabled ? $"mode {selinux.CurrentMode.ToString().ToLowerInvariant()}" : "SELinux disabled", "getenforce");
        }

        if (!selinux.Ports.TryGetValue(port.Key, out var result))
        {
            return RuleOutcome.Missing(Check, "enforcing, but no label or denial evidence for the port", "getenforce");
        }

        var p = port.Port.ToString(CultureInfo.InvariantCulture);
        var proto = port.Protocol.ToLabel();
        var type = result.PortType ?? "unlabelled";
        var confirm = $"getenforce; semanage port -l | grep -w {p}; ausearch -m AVC -ts recent | grep -w {p}";
        if (!result.Allowed)
        {
            var denials = result.DenialsByPermission.Where(d => d.Value > 0).Select(d => $"{d.Key} x{d.Value.ToString(CultureInfo.InvariantCulture)}").ToList();
            var what = denials.Count > 0
                ? $"denied {string.Join(", ", denials)}{(result.LastDenialSourceType is { } s ? $" to {s}" : string.Empty)}"
                : $"port type {type}, expected {port.SelinuxType}";
            var wanted = port.SelinuxType ?? "<type the service needs, e.g. http_port_t>";
            return RuleOutcome.Cause(
                Check,
                $"enforcing; port type {type}; {what}",
                confirm,
                $"SELinux (enforcing) blocks {Diagnoser.Describe(port)}: {what} on port {p}/{proto} (port type {type}).",
                $"semanage port -a -t {wanted} -p {proto} {p} (or -m if the port already has a type); setenforce 0 only as a short test.");
        }

        return RuleOutcome.Clear(Check, $"enforcing; port type {type}; no denial", confirm);
    }
}
