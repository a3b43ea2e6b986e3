using PortExporter.Core.Configuration;

namespace PortExporter.Core.Collection;

/// <summary>
/// A stage-2 source: evidence about the watched ports (firewall, SELinux, probes). All of them run at once, each
/// with the host facts and the watched ports, and each returns its own record; null when the config asks for
/// nothing from it (probes off). It throws on failure; the runner times it, catches the failure, logs it and sets
/// <c>port_exporter_collector_success{collector}</c>.
/// </summary>
/// <typeparam name="TEvidence">The record it returns.</typeparam>
public interface IPortEvidenceCollector<TEvidence> : IEvidenceSource
    where TEvidence : class
{
    Task<TEvidence?> CollectAsync(CollectionContext context, HostFacts facts, IReadOnlyList<PortSpec> ports, CancellationToken cancellationToken);
}
