using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Collection;

/// <summary>
/// Runs one collection in two stages and assembles the snapshot from what the collectors return. Stage 1, the host
/// facts: network and sockets side by side, then processes (which reads their <see cref="HostFacts"/>); then the
/// watched ports are resolved (<see cref="WatchedPortResolver"/>). Stage 2, the per-port evidence: firewall, SELinux
/// and probes all at once, so the collection takes as long as the slowest of them, not their sum; stage 3, the
/// backends behind the firewall's DNATs, as soon as the firewall has answered. Every collector is
/// timed and cancelled at the deadline; one that throws or overruns loses its evidence and its success flag, never
/// the collection, and the collection answers at the deadline even when a collector ignores its cancellation (such a
/// collector is not started again while its earlier run goes on: it fails instead, so runs cannot pile up). A
/// disabled collector (<see cref="CollectorSwitches"/>) is not run and has no status. A failure is logged once at
/// error level and again only at debug level until the collector recovers. Thread-safe.
/// </summary>
public sealed class EvidenceCollection(
    EvidenceSources sources,
    CollectorSwitches switches,
    WatchedPortResolver resolver,
    HostPaths paths,
    TimeProvider time,
    ILogger<EvidenceCollection> logger)
{
    private readonly CollectorSwitches _switches = switches;
    private readonly TimeProvider _time = time;
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failing = [];
    private readonly Lock _failingGate = new();

    public async Task<EvidenceSnapshot> CollectAsync(ExporterConfig config, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var context = new CollectionContext(config, paths, _time, deadline);
        var statuses = new ConcurrentDictionary<string, CollectorStatus>(StringComparer.Ordinal);
        var remaining = deadline - _time.GetUtcNow();
        using var atDeadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(atDeadline.Token, cancellationToken);
        var run = new Run(this, statuses, linked.Token, cancellationToken);

        var network = run.StartFact(sources.Network, ct => sources.Network.CollectAsync(context, HostFacts.None, ct));
        var sockets = run.StartFact(sources.Sockets, ct => sources.Sockets.CollectAsync(context, HostFacts.None, ct));
        var known = new HostFacts(await network.ConfigureAwait(false), await sockets.ConfigureAwait(false), null);
        var facts = known with { Processes = await run.StartFact(sources.Processes, ct => sources.Processes.CollectAsync(context, known, ct)).ConfigureAwait(false) };
        var resolved = resolver.Resolve(config, facts.Sockets, facts.Processes, facts.Network);

        var firewall = run.Start(sources.Firewall, ct => sources.Firewall.CollectAsync(context, facts, resolved, ct));
        var selinux = run.Start(sources.Selinux, ct => sources.Selinux.CollectAsync(context, facts, resolved, ct));
        var probes = run.Start(sources.Probes, ct => sources.Probes.CollectAsync(context, facts, resolved, ct));
        var backends = SearchBackendsAsync(run, context, firewall, resolved, facts);
        await Task.WhenAll(firewall, selinux, probes, backends).ConfigureAwait(false);
        var ports = resolver.Settle(resolved, firewall.Result);

        var ordered = CollectorNames.All.Where(statuses.ContainsKey).ToDictionary(n => n, n => statuses[n], StringComparer.Ordinal);
        return new EvidenceSnapshot(
            _time.GetUtcNow(), config, ports, ordered, facts.Sockets, facts.Processes, firewall.Result, selinux.Result, probes.Result, facts.Network)
        {
            Disabled = _switches.Disabled,
            Backends = backends.Result,
        };
    }

    /// <summary>
    /// Stage 3, once the firewall has answered: the backends behind its DNATs and behind the userland proxies that
    /// hold watched ports; not run when nothing is forwarded.
    /// </summary>
    private async Task<Backend.BackendEvidence?> SearchBackendsAsync(
        Run run, CollectionContext context, Task<Firewall.FirewallEvidence?> firewall, IReadOnlyList<PortSpec> ports, HostFacts facts)
    {
        IReadOnlyList<Backend.BackendTarget> targets =
        [
            .. Backend.BackendCollector.TargetsOf(await firewall.ConfigureAwait(false))
                .Concat(ports.SelectMany(p => Backend.BackendCollector.ProxiedTargetsOf(p.Key, facts.Sockets, facts.Processes)))
                .Distinct(),
        ];
        return sources.Backends is { } collector && targets.Count > 0
            ? await run.Start(collector, ct => collector.CollectAsync(context, targets, ct)).ConfigureAwait(false)
            : null;
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

    /// <summary>One collection's runs: each enabled collector on the pool, timed, its outcome recorded.</summary>
    private sealed class Run(
        EvidenceCollection owner, ConcurrentDictionary<string, CollectorStatus> statuses, CancellationToken deadline, CancellationToken caller)
    {
        public Task<T?> StartFact<T>(IEvidenceSource source, Func<CancellationToken, Task<T>> collect)
            where T : class =>
            Start(source, async ct => (T?)await collect(ct).ConfigureAwait(false));

        public Task<T?> Start<T>(IEvidenceSource source, Func<CancellationToken, Task<T?>> collect)
            where T : class =>
            owner._switches.IsEnabled(source.Name) ? RunAsync(source.Name, collect) : Task.FromResult<T?>(null);

        private async Task<T?> RunAsync<T>(string name, Func<CancellationToken, Task<T?>> collect)
            where T : class
        {
            var started = owner._time.GetTimestamp();
            string? error = null;
            T? result = null;
            try
            {
                if (owner._running.TryGetValue(name, out var earlier) && !earlier.IsCompleted)
                {
                    throw new InvalidOperationException("its run of an earlier collection has not ended (it overran that deadline)");
                }

                var task = Task.Run(() => collect(deadline), deadline);
                owner._running[name] = task;
                result = await task.WaitAsync(deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!caller.IsCancellationRequested)
            {
                error = "timed out at the scrape deadline";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = $"{e.GetType().Name}: {e.Message}";
            }

            statuses[name] = new CollectorStatus(error is null, owner._time.GetElapsedTime(started), error);
            owner.ReportOutcome(name, error);
            return result;
        }
    }
}
