using PortExporter.Core.Collection;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// The process evidence per watched port: <c>port_process_running</c> when a <c>process</c> is configured,
/// <c>port_unit_active</c> and <c>port_unit_info</c> when a <c>unit</c> is. Where systemd does not answer,
/// <c>port_unit_active</c> is absent and <c>port_unit_info</c> says "unknown", never a false 0. When the
/// processes collector failed, none of them is written.
/// </summary>
public sealed class ProcessMetrics : IMetricsWriter
{
    public const string ProcessRunning = "port_process_running";
    public const string UnitActive = "port_unit_active";
    public const string UnitInfo = "port_unit_info";
    public const string Unreadable = "port_exporter_processes_unreadable";

    /// <summary>The state label value when systemd did not answer.</summary>
    public const string Unknown = "unknown";

    private readonly SeriesSet _running;
    private readonly SeriesSet _unitActive;
    private readonly SeriesSet _unitInfo;
    private readonly SeriesSet _unreadable;

    public ProcessMetrics(IMetricFactory factory)
    {
        _running = new SeriesSet(
            factory,
            ProcessRunning,
            "1 when a process matching the watched port's configured process name (comm or executable basename) runs, 0 when none does.",
            PortLabels.Names);
        _unitActive = new SeriesSet(
            factory,
            UnitActive,
            "1 when the watched port's configured systemd unit is active (or reloading), 0 when not; absent when systemd does not answer.",
            PortLabels.Names);
        _unitInfo = new SeriesSet(
            factory,
            UnitInfo,
            "The watched port's configured systemd unit with its ActiveState and SubState; both \"unknown\" when systemd does not answer.",
            PortLabels.With("unit", "active_state", "sub_state"));
        _unreadable = new SeriesSet(
            factory,
            Unreadable,
            "Processes whose open files (/proc/PID/fd) the exporter was not permitted to read at its last search for socket owners "
            + "(needs CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE for other users' processes); above 0, a listener's process may be unknown.");
    }

    public void Write(EvidenceSnapshot snapshot)
    {
        var running = new List<(string[], double)>();
        var active = new List<(string[], double)>();
        var info = new List<(string[], double)>();
        var unreadable = new List<(string[], double)>();
        if (snapshot.Processes is { } processes)
        {
            unreadable.Add(([], processes.UnreadableProcesses));
            foreach (var port in snapshot.Ports)
            {
                if (port.Process is { } name && processes.RunningByName.TryGetValue(name, out var runs))
                {
                    running.Add((PortLabels.Of(port), runs ? 1 : 0));
                }

                if (port.Unit is not { } unit)
                {
                    continue;
                }

                if (processes.SystemdAvailable && processes.Units.TryGetValue(unit, out var state))
                {
                    active.Add((PortLabels.Of(port), state.IsActive ? 1 : 0));
                    info.Add((PortLabels.Of(port, unit, state.ActiveState, state.SubState), 1));
                }
                else
                {
                    info.Add((PortLabels.Of(port, unit, Unknown, Unknown), 1));
                }
            }
        }

        _running.Replace(running);
        _unitActive.Replace(active);
        _unitInfo.Replace(info);
        _unreadable.Replace(unreadable);
    }
}
