using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>Every collector, by stage: the host facts, then the per-port evidence.</summary>
public sealed record EvidenceSources(
    IHostFactCollector<HostNetwork> Network,
    IHostFactCollector<SocketEvidence> Sockets,
    IHostFactCollector<ProcessEvidence> Processes,
    IPortEvidenceCollector<FirewallEvidence> Firewall,
    IPortEvidenceCollector<SelinuxEvidence> Selinux,
    IPortEvidenceCollector<ProbeEvidence> Probes);
