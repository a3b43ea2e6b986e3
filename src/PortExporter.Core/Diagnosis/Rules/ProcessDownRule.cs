using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Processes;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// B: the configured process is not running, or the configured unit is not active; unless a service manager holds the
/// port's every listener (<see cref="SocketHolderKind.Activator"/>): then a process that is not running, or a unit that is
/// inactive (not failed), waits for its first connection, and the connection starts it.
/// </summary>
public sealed class ProcessDownRule : IDiagnosisRule
{
    private const string Check = "process";

    public Cause Cause => Cause.ProcessDown;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (port.Process is null && port.Unit is null)
        {
            return RuleOutcome.Skipped(Check, "no process or unit configured");
        }

        var processes = evidence.Processes;
        if (processes is null)
        {
            return RuleOutcome.Missing(Check, $"process evidence {evidence.WhyMissing(CollectorNames.Processes)}");
        }

        var seen = new List<string>();
        var activator = evidence.Sockets is { } sockets ? ListenerFacts.HeldBy(SocketHolderKind.Activator, sockets.For(port.Key), evidence)?.Owner : null;
        var activated = activator is null ? null : $"{activator.DisplayName} pid {activator.Pid.ToString(CultureInfo.InvariantCulture)} holds the port and starts it on a connection (socket activation)";
        if (port.Process is { } name)
        {
            if (!processes.RunningByName.TryGetValue(name, out var running))
            {
                return RuleOutcome.Missing(Check, $"no answer for process {name}");
            }

            if (!running && activated is not null)
            {
                seen.Add($"{name} not running: {activated}");
            }
            else if (!running)
            {
                return RuleOutcome.Cause(
                    Check,
                    $"no process named {name} is running",
                    $"ps -C {name} -o pid,user,lstart,cmd" + (port.Unit is { } u ? $"; journalctl -u {u} -n 50" : string.Empty),
                    $"{Diagnoser.Describe(port)} is down: process {name} is not running.",
                    port.Unit is { } unit
                        ? $"systemctl start {unit} && systemctl enable {unit}; read journalctl -u {unit} for why it stopped."
                        : $"Start {name} and make it start at boot; read its log for why it stopped.");
            }
            else
            {
                seen.Add($"{name} running");
            }
        }

        if (port.Unit is { } configuredUnit)
        {
            if (!processes.SystemdAvailable)
            {
                seen.Add($"{configuredUnit}: systemd not reachable");
            }
            else if (processes.Units.TryGetValue(configuredUnit, out var state))
            {
                if (state.ActiveState == "inactive" && activated is not null)
                {
                    seen.Add($"{configuredUnit} inactive: {activated}");
                }
                else if (!state.IsActive)
                {
                    return RuleOutcome.Cause(
                        Check,
                        $"unit {configuredUnit} is {state.ActiveState} ({state.SubState})",
                        $"systemctl status {configuredUnit}; journalctl -u {configuredUnit} -n 50",
                        $"{Diagnoser.Describe(port)} is down: unit {configuredUnit} is {state.ActiveState} ({state.SubState}).",
                        $"systemctl start {configuredUnit} && systemctl enable {configuredUnit}; read journalctl -u {configuredUnit} for why it stopped.");
                }
                else
                {
                    seen.Add($"{configuredUnit} {state.ActiveState} ({state.SubState})");
                }
            }
        }

        return RuleOutcome.Clear(Check, string.Join(", ", seen));
    }
}
