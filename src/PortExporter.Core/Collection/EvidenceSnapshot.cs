using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>
/// Everything one collection found, immutable. A null part means that evidence is missing (its collector
/// failed or is not enabled), never that the answer is "no".
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
    NetworkEvidence? Network = null)
{
    public bool CollectorSucceeded(string name) => Collectors.TryGetValue(name, out var s) && s.Success;
}
