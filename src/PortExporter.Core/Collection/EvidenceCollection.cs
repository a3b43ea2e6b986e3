using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Collection;

/// <summary>
/// Runs every collector once, in order, and returns the snapshot. Each collector is timed; one that throws
/// or overruns the deadline loses its evidence and its success flag, never the collection. A failure is logged
/// once at error level and again only at debug level until the collector recovers. Thread-safe.
/// </summary>
public sealed class EvidenceCollection(
    IEnumerable<IEvidenceCollector> collectors,
    WatchedPortResolver resolver,
    HostPaths paths,
    TimeProvider time,
    ILogger<EvidenceCollection> logger)
{
    private readonly IReadOnlyList<IEvidenceCollector> _collectors = [.. collectors];
    private readonly HashSet<string> _failing = [];
    private readonly Lock _failingGate = new();

    public IReadOnlyList<string> CollectorNames => [.. _collectors.Select(c => c.Name)];

    public async Task<EvidenceSnapshot> CollectAsync(ExporterConfig config, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var builder = new EvidenceBuilder(config);
        var statuses = new Dictionary<string, CollectorStatus>(StringComparer.Ordinal);
        var context = new CollectionContext(paths, time, deadline);
        var resolved = false;

        foreach (var collector in _collectors)
        {
            if (!resolved && collector.Name is not (Collection.CollectorNames.Network or Collection.CollectorNames.Sockets or Collection.CollectorNames.Processes))
            {
                builder.Ports = resolver.Resolve(config, builder.Sockets, builder.Processes);
                resolved = true;
            }

            statuses[collector.Name] = await RunOneAsync(collector, context, builder, deadline, cancellationToken).ConfigureAwait(false);
        }

        if (!resolved)
        {
            builder.Ports = resolver.Resolve(config, builder.Sockets, builder.Processes);
        }

        return builder.Build(time.GetUtcNow(), statuses);
    }

    private async Task<CollectorStatus> RunOneAsync(
        IEvidenceCollector collector, CollectionContext context, EvidenceBuilder builder, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var remaining = deadline - time.GetUtcNow();
        cts.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        string? error = null;
        try
        {
            await collector.CollectAsync(context, builder, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = "timed out before the scrape deadline";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }

        var duration = Stopwatch.GetElapsedTime(started);
        ReportOutcome(collector.Name, error);
        return new CollectorStatus(error is null, duration, error);
    }

    private void ReportOutcome(string name, string? error)
    {
        lock (_failingGate)
        {
            if (error is null)
            {
                if (_failing.Remove(name))
                {
                    CollectorLog.CollectorRecovered(logger, name);
                }
            }
            else if (_failing.Add(name))
            {
                CollectorLog.CollectorFailed(logger, name, error);
            }
            else
            {
                CollectorLog.CollectorStillFailing(logger, name, error);
            }
        }
    }
}
