namespace PortExporter.Core.Collection;

/// <summary>
/// One evidence source. It reads (never changes) the host and sets its part of the evidence.
/// It throws on failure; the runner, not the collector, times it, catches the failure, logs it and
/// sets <c>port_exporter_collector_success{collector}</c>.
/// </summary>
public interface IEvidenceCollector
{
    /// <summary>The <c>collector</c> label value.</summary>
    string Name { get; }

    Task CollectAsync(CollectionContext context, EvidenceBuilder evidence, CancellationToken cancellationToken);
}
