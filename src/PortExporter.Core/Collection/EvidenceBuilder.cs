using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>
/// The evidence of one collection while it is gathered. Collectors run in order and each sets its own
/// part; a later collector may read an earlier one's (the owner resolver reads the listeners).
/// Not thread-safe: one builder belongs to one collection.
/// </summary>
public sealed class EvidenceBuilder(ExporterConfig config)
{
    public ExporterConfig Config { get; } = config;

    /// <summary>The watched ports, fixed by the runner after the socket collector has run.</summary>
    public IReadOnlyList<PortSpec> Ports { get; set; } = config.Ports;

    public NetworkEvidence? Network { get; set; }

    public SocketEvidence? Sockets { get; set; }

    public ProcessEvidence? Processes { get; set; }

    public FirewallEvidence? Firewall { get; set; }

    public SelinuxEvidence? Selinux { get; set; }

    public ProbeEvidence? Probes { get; set; }

    public EvidenceSnapshot Build(DateTimeOffset takenAt, IReadOnlyDictionary<string, CollectorStatus> collectors) =>
        new(takenAt, Config, Ports, collectors, Sockets, Processes, Firewall, Selinux, Probes, Network);
}
