namespace PortExporter.Core.Collection;

/// <summary>
/// A stage-1 source: one kind of host fact (network, sockets, processes). It reads (never changes) the host and
/// returns its record; it may read the facts gathered before it (<paramref name="known"/> in
/// <see cref="CollectAsync"/>), nothing else. It throws on failure; the runner times it, catches the failure, logs
/// it and sets <c>port_exporter_collector_success{collector}</c>.
/// </summary>
/// <typeparam name="TFact">The record it returns.</typeparam>
public interface IHostFactCollector<TFact> : IEvidenceSource
    where TFact : class
{
    Task<TFact> CollectAsync(CollectionContext context, HostFacts known, CancellationToken cancellationToken);
}
