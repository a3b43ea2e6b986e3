using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>Every collector, by stage: the host facts, the per-port evidence, then the backends behind the firewall's DNATs.</summary>
public sealed record EvidenceSources(
    IHostFactCollector<HostNetwork> Network,
    IHostFactCollector<SocketEvidence> Sockets,
    IHostFactCollector<ProcessEvidence> Processes,
    IPortEvidenceCollector<FirewallEvidence> Firewall,
    IPortEvidenceCollector<SelinuxEvidence> Selinux,
    IPortEvidenceCollector<ProbeEvidence> Probes,
    Backend.BackendCollector? Backends = null);
