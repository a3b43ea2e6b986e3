using PortExporter.Core.Collection;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Metrics;
using PortExporter.Core.Timeline;
using Prometheus;

namespace PortExporter.Hosting;

/// <summary>
/// Collects evidence on demand (a scrape, /diagnose, the diagnose verb), diagnoses it and writes every series.
/// At most one collection runs at a time: concurrent callers share the one in flight, and a caller that finds the
/// last collection younger than <c>web.min_collection_interval</c> (and of the config in force) is answered from it without a new one
/// (<c>port_exporter_collections_total</c> counts the collections actually run). A caller that joins a collection
/// started with a later deadline than its own waits only until its own deadline, then answers with the previous
/// collection's series; a caller whose deadline is the run's (or later) waits until the run's deadline and a short
/// grace for writing the series. Metric writes and exports are
/// serialised so a scrape never sees half of one collection and half of another. Thread-safe.
/// </summary>
public sealed class EvidenceService : IDisposable
{
    /// <summary>How long past the run's deadline a caller whose deadline is not earlier waits (the collectors stop at the deadline; this covers writing the series).</summary>
    private static readonly TimeSpan JoinGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The largest exposition buffer kept for the next scrape. One buffer is kept (a second scrape at the same time
    /// writes into a new one): an exposition of 50 ports is about 80 KB, and a new buffer grown to it on every scrape
    /// was a 128 KB array on the large object heap each time, which only a full collection frees.
    /// </summary>
    private const int MaxKeptBufferBytes = 8 << 20;

    private readonly ConfigHolder _config;
    private readonly EvidenceCollection _collection;
    private readonly IReadOnlyList<IMetricsWriter> _writers;
    private readonly DiagnosisMetrics _diagnosisMetrics;
    private readonly EvidenceTimeline _timeline;
    private readonly TimelineMetrics _timelineMetrics;
    private readonly TimelineStateFile _timelineFile;
    private readonly ExporterMetrics _exporterMetrics;
    private readonly TimeProvider _time;
    private readonly SharedCollection<CollectedState> _shared;
    private readonly SemaphoreSlim _metricsGate = new(1, 1);
    private readonly Counter _collections;
    private volatile CollectedState? _latest;
    private long _runDeadlineTicks;
    private MemoryStream? _spareBuffer;

    public EvidenceService(
        ConfigHolder config,
        EvidenceCollection collection,
        IEnumerable<IMetricsWriter> writers,
        DiagnosisMetrics diagnosisMetrics,
        ExporterMetrics exporterMetrics,
        CollectorRegistry registry,
        TimeProvider time,
        EvidenceTimeline timeline,
        TimelineMetrics timelineMetrics,
        TimelineStateFile timelineFile)
    {
        _timelineFile = timelineFile;
        _timeline = timeline;
        _timelineMetrics = timelineMetrics;
        _config = config;
        _collection = collection;
        _writers = [.. writers];
        _diagnosisMetrics = diagnosisMetrics;
        _exporterMetrics = exporterMetrics;
        Registry = registry;
        _time = time;
        _shared = new SharedCollection<CollectedState>(time);
        _collections = Metrics.WithCustomRegistry(registry).CreateCounter(
            "port_exporter_collections_total",
            "Evidence collections run. Concurrent scrapes share one collection, so this grows slower than the scrape count.");
    }

    public CollectorRegistry Registry { get; }

    /// <summary>The newest collection, or null before the first.</summary>
    public CollectedState? Latest => _latest;

    /// <summary>Collects (or joins the collection in flight) and writes the series; answers within <paramref name="budget"/>.</summary>
    public async Task<CollectedState> CollectAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + budget;
        var config = _config.Current;
        var run = _shared.RunAsync(
            () => RunAsync(deadline),
            last => ReferenceEquals(last.Evidence.Config, config) && _time.GetUtcNow() - last.Evidence.TakenAt < config.Web.MinCollectionInterval,
            () => Volatile.Write(ref _runDeadlineTicks, deadline.UtcTicks));
        var runDeadline = new DateTimeOffset(Volatile.Read(ref _runDeadlineTicks), TimeSpan.Zero);
        var answerBy = runDeadline > deadline ? deadline : runDeadline + JoinGrace;
        var wait = answerBy - _time.GetUtcNow();
        try
        {
            return await run.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (_latest is { } previous)
        {
            return previous;
        }
        catch (TimeoutException)
        {
            return await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the exposition of the current series; never concurrent with a metrics write.</summary>
    public async Task ExportAsync(Stream destination, ExpositionFormat format, CancellationToken cancellationToken)
    {
        var buffer = Interlocked.Exchange(ref _spareBuffer, null) ?? new MemoryStream();
        buffer.SetLength(0);
        try
        {
            await _metricsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // The reload status is the config holder's, not a collection's: a scrape that reuses a young collection
                // still shows a reload (good or failed) that happened since.
                _exporterMetrics.WriteReload(_config.LastReloadSuccessful, _config.LastReloadSuccessAt);
                await Registry.CollectAndExportAsTextAsync(buffer, format, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _metricsGate.Release();
            }

            buffer.Position = 0;
            await buffer.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (buffer.Capacity <= MaxKeptBufferBytes)
            {
                Interlocked.CompareExchange(ref _spareBuffer, buffer, null);
            }
        }
    }

    public void Dispose()
    {
        _metricsGate.Dispose();
        _shared.Dispose();
    }

    private async Task<CollectedState> RunAsync(DateTimeOffset deadline)
    {
        var config = _config.Current;
        var evidence = await _collection.CollectAsync(config, deadline, CancellationToken.None).ConfigureAwait(false);
        var diagnoses = Diagnoser.Diagnose(evidence);
        var timeline = _timeline.Record(evidence, diagnoses);
        var state = new CollectedState(evidence, diagnoses) { Timeline = timeline };
        await _metricsGate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var writer in _writers)
            {
                writer.Write(evidence);
            }

            _diagnosisMetrics.Write(diagnoses);
            _timelineMetrics.Write(timeline);
            _exporterMetrics.WriteCollectors(evidence);
            _exporterMetrics.WriteReload(_config.LastReloadSuccessful, _config.LastReloadSuccessAt);
            _collections.Inc();
        }
        finally
        {
            _metricsGate.Release();
        }

        _timelineFile.SaveIfChanged(_timeline);
        _latest = state;
        return state;
    }
}
