using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>
/// Everything one collection found, immutable, assembled from what each collector returned. A null part means that
/// evidence is missing, never that the answer is "no": its collector failed (<see cref="Collectors"/> says why), is
/// disabled (<see cref="Disabled"/>), or the config asked nothing of it (probes off).
/// </summary>
public sealed record EvidenceSnapshot(
    DateTimeOffset TakenAt,
    ExporterConfig Config,
    IReadOnlyList<PortSpec> Ports,
    IReadOnlyDictionary<string, CollectorStatus> Collectors,
    SocketEvidence? Sockets = null,
    ProcessEvidence? Processes = null,
    FirewallEvidence? Firewall = null,
    SelinuxEvidence? Selinux = null,
    ProbeEvidence? Probes = null,
    HostNetwork? Network = null)
{
    /// <summary>Collectors switched off with <c>--no-collector.NAME</c>: not run, so not in <see cref="Collectors"/>.</summary>
    public IReadOnlyList<string> Disabled { get; init; } = [];

    /// <summary>The backends behind the DNATs the firewall's verdicts follow; null when none was searched.</summary>
    public Backend.BackendEvidence? Backends { get; init; }

    public bool CollectorSucceeded(string name) => Collectors.TryGetValue(name, out var s) && s.Success;

    /// <summary>Why <paramref name="collector"/>'s evidence is missing, for the diagnosis: "not collected" or "failed".</summary>
    public string WhyMissing(string collector) =>
        Disabled.Contains(collector, StringComparer.Ordinal) ? $"not collected (--no-collector.{collector})"
        : Collectors.TryGetValue(collector, out var status) && !status.Success ? $"missing ({collector} collector failed)"
        : "not collected";
}
