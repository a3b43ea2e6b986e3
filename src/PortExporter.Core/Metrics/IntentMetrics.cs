using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// Writes <c>port_intent_info</c> (one series per watched port: where it must be reachable from and who said so)
/// and <c>port_exporter_auto_watch_evicted_total</c> (exported from the start, 0 until the cap evicts).
/// </summary>
public sealed class IntentMetrics : IMetricsWriter
{
    private readonly WatchedPortResolver _resolver;
    private readonly Counter _evicted;
    private readonly SeriesSet _intent;

    public IntentMetrics(IMetricFactory factory, WatchedPortResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _resolver = resolver;
        _intent = new SeriesSet(
            factory,
            "port_intent_info",
            "Where the watched port must be reachable from: expose is public, internal or local; origin is config (the config file) or inferred (auto-watch).",
            PortLabels.With("expose", "origin"));
        _evicted = factory.CreateCounter(
            "port_exporter_auto_watch_evicted_total",
            "Auto-watched ports evicted because more listener ports than auto_watch.max_ports appeared (least recently seen first; configured ports never).");
        _evicted.IncTo(0);
    }

    public void Write(EvidenceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _intent.Replace(snapshot.Ports.Select(p => (PortLabels.Of(p, p.Expose.ToLabel(), p.Origin.ToLabel()), 1.0)));
        _evicted.IncTo(_resolver.Evicted);
    }
}
