using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;
using PortExporter.Firewall;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// B: the configured process is not running, or the configured unit is not active; unless a service manager holds the
/// port's every listener (<see cref="SocketHolderKind.Activator"/>): then a process that is not running, or a unit that is
/// inactive (not failed), waits for its first connection, and the connection starts it. A process that runs only in
/// another network namespace while a container engine's process holds the port's every listener
/// (<see cref="SocketHolderKind.ContainerPublisher"/>) is the container's service the engine publishes: not down; so is one
/// that listens behind the port's DNAT, in the namespace that owns the translated address (a container published without
/// a userland proxy, a pod's hostPort), or that runs beside a backend whose namespace was read: whether the backend listens
/// is <see cref="BackendNotListeningRule"/>'s to say. A
/// process that is down while another program holds the port gets that program named: the service cannot bind the
/// port while it does. A process not found while the port has a listener whose process the exporter cannot see (it runs
/// in a PID namespace of its own, or may not read other processes' open files) is missing evidence, never down.
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
        // The port's listeners, once: who holds them says whether a process not running here is down.
        var listeners = evidence.Sockets?.For(port.Key).ToList() ?? [];
        var activator = ListenerFacts.HeldBy(SocketHolderKind.Activator, listeners, evidence)?.Owner;
        var activated = activator is null ? null : $"{activator.DisplayName} pid {activator.Pid.ToString(CultureInfo.InvariantCulture)} holds the port and starts it on a connection (socket activation)";
        var publisher = ListenerFacts.HeldBy(SocketHolderKind.ContainerPublisher, listeners, evidence);
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
            else if (!running && publisher is ({ } proxy, { Engine: { } engine }) && processes.RunningElsewhere.Contains(name))
            {
                seen.Add($"{name} runs in another network namespace, where {engine.Name} runs it in a container: {proxy.DisplayName} pid {proxy.Pid.ToString(CultureInfo.InvariantCulture)} publishes the port");
            }
            else if (!running && processes.RunningElsewhere.Contains(name) && BackendFacts.ServedBy(port, name, evidence) is { } served)
            {
                seen.Add($"{name} runs in another network namespace: {served}");
            }
            else if (!running && listeners.Where(l => ListenerFacts.Owner(l, evidence) is null).Select(l => l.EndpointText).Distinct().ToList() is { Count: > 0 } unowned)
            {
                // Something holds the port, and the exporter cannot see what: it is no proof that the service is down.
                return RuleOutcome.Missing(
                    Check,
                    $"no process named {name} is visible, but {string.Join(", ", unowned)} listens and its process is not among those the exporter sees: it sees only part of the host's processes (run it in the host's PID namespace: --pid=host, hostPID: true) or may not read their open files (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH)",
                    $"{ListenerFacts.SsCommand(port)}; ps -C {name} -o pid,user,cmd");
            }
            else if (!running)
            {
                return Down(port, name, listeners, evidence);
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

    /// <summary>The process is not running; when another program holds the port, the service cannot bind it until that one lets go.</summary>
    private static RuleOutcome Down(PortSpec port, string name, IReadOnlyList<Listener> listeners, EvidenceSnapshot evidence)
    {
        var confirm = $"ps -C {name} -o pid,user,lstart,cmd" + (port.Unit is { } u ? $"; journalctl -u {u} -n 50" : string.Empty);
        var start = port.Unit is { } unit
            ? $"systemctl start {unit} && systemctl enable {unit}; read journalctl -u {unit} for why it stopped."
            : $"Start {name} and make it start at boot; read its log for why it stopped.";
        var holders = listeners.Select(l => ListenerFacts.Owner(l, evidence)).OfType<ProcessInfo>()
            .Where(o => SocketHolders.Of(o) is null)
            .DistinctBy(o => o.Pid)
            .Select(o => $"{o.DisplayName} pid {o.Pid.ToString(CultureInfo.InvariantCulture)}")
            .ToList();
        if (holders.Count == 0)
        {
            return RuleOutcome.Cause(Check, $"no process named {name} is running", confirm, $"{Diagnoser.Describe(port)} is down: process {name} is not running.", start);
        }

        var held = string.Join(", ", holders);
        var portText = $"{port.Port.ToString(CultureInfo.InvariantCulture)}/{port.Protocol.ToLabel()}";
        return RuleOutcome.Cause(
            Check,
            $"no process named {name} is running; {held} holds {portText}",
            $"{confirm}; {ListenerFacts.SsCommand(port)}",
            $"{Diagnoser.Describe(port)} is down: process {name} is not running, and {held} holds {portText}, so {name} cannot bind it (address already in use) while it does.",
            $"Find out why {held} holds {portText} (a second instance, another service configured with the same port, a leftover child of {name}); stop it or move it to another port, then: {start}");
    }
}
