using System.Net;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Network;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Core.Sockets;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Firewalld;

namespace PortExporter.Core.Firewall;

/// <summary>
/// Firewall evidence (hypothesis A): for each watched port, what the host's ruleset does to a new connection from
/// outside and from inside, with the deciding rule. Reading the ruleset means running <c>nft</c> and
/// <c>iptables-save</c> (0.1-0.5 s on 10k rules), so it never happens on the scrape path: the collector keeps a
/// compiled snapshot and refreshes it in the background at once when the change signal (the nf_tables generation id,
/// one netlink request per scrape) says the ruleset changed, and otherwise when it is older than
/// <c>firewall.refresh_interval</c> (<see cref="SignalledMaxAge"/> where the signal covers every backend in use):
/// the scrape that notices an interval refresh starts it and answers from the snapshot it has, while the scrape that
/// sees the generation move waits for the new snapshot (up to half its time left), so a rule change shows in the
/// verdicts of that very scrape. The very first scrape waits for a snapshot, up to its deadline (the other per-port collectors run beside it, so they lose
/// nothing by the wait). The connections are planned on the host network of the collection's
/// <see cref="HostFacts"/> (the firewall never reads the network itself); without it the collector fails. Verdicts
/// are computed once per snapshot, host network and watched-port set and reused by later scrapes; the refresh
/// computes those of the ports last asked for, so a scrape only looks them up.
/// <para>
/// A failed refresh (a hang past <c>firewall.command_timeout</c>, a non-zero exit, output the parsers reject) makes
/// the collector throw until a refresh succeeds again (success 0, one log line): a verdict from a ruleset that can
/// no longer be read is not served as if it were current. Retries happen once per refresh interval. Thread-safe.
/// </para>
/// </summary>
public sealed class FirewallCollector : IPortEvidenceCollector<FirewallEvidence>, IDisposable
{
    /// <summary>
    /// The oldest a snapshot gets while the change signal stands still (it moves on every commit, so this only
    /// catches what no commit announces, such as set elements a rule adds from the packet path).
    /// </summary>
    public static readonly TimeSpan SignalledMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>The router's address on the link, for the neighbour discovery of a client that is not on it: the usual fe80::1.</summary>
    public static readonly IPAddress RouterLinkLocal = IPAddress.Parse("fe80::1");

    private readonly FirewallRulesetReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger<FirewallCollector> _logger;
    private readonly IRulesetChangeSignal _signal;
    private readonly BackgroundRefresh<Loaded> _refresh;
    private readonly DefaultRouteMemory _defaultRoutes = new();
    private readonly RefreshMemory _memory;
    private readonly Lock _gate = new();
    private Request? _lastRequest;
    private int _failing;

    /// <param name="runner">Runs nft / iptables-save / firewall-cmd (production: <see cref="ProcessCommandRunner"/>).</param>
    /// <param name="paths">rootfs (firewalld service files).</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Refresh failures and recoveries.</param>
    /// <param name="changeSignal">Ruleset change signal; default the nf_tables generation id with the legacy tables' shapes (<see cref="RulesetChangeSignal"/>).</param>
    public FirewallCollector(ICommandRunner runner, HostPaths paths, TimeProvider time, ILogger<FirewallCollector> logger, IRulesetChangeSignal? changeSignal = null)
    {
        _reader = new FirewallRulesetReader(runner, paths, time);
        _time = time;
        _logger = logger;
        _signal = changeSignal ?? new RulesetChangeSignal();
        _refresh = new BackgroundRefresh<Loaded>(time);
        _memory = new RefreshMemory(time);
        _refresh.Completed += Report;
    }

    public string Name => CollectorNames.Firewall;

    public async Task<FirewallEvidence?> CollectAsync(CollectionContext context, HostFacts facts, IReadOnlyList<PortSpec> ports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(ports);
        var network = facts.Network
            ?? throw new InvalidOperationException("the host network was not collected: the firewall's verdicts need its interfaces and routes");
        var settings = context.Config.Firewall;
        var request = new Request(ports, facts.Sockets, network, settings.ExternalSource);
        lock (_gate)
        {
            _lastRequest = request;
        }

        var generation = _signal.Read();
        var complete = _signal.CoversAllChanges();
        var now = _time.GetUtcNow();
        // The state before any refresh this scrape starts: it answers from the snapshot it has.
        var state = _refresh.State;
        var running = _refresh.StartIf(current => Due(current, settings, generation, complete, now), ct => LoadAsync(settings, ct));
        var loaded = state.Current;
        if (loaded is not null && running is not null && generation is not null && loaded.Generation is { } known && known != generation)
        {
            // The ruleset changed since the snapshot: this scrape waits for the new one (half its time left at most)
            // so the change shows in its own verdicts; past that it answers from the snapshot it has.
            loaded = await FreshOrCurrentAsync(running, loaded, context.HalfTimeLeft(), cancellationToken).ConfigureAwait(false);
            state = _refresh.State;
        }

        if (loaded is null)
        {
            if (running is null)
            {
                throw state.Failure ?? new InvalidOperationException("no firewall snapshot yet");
            }

            try
            {
                loaded = await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!running.IsCompleted)
            {
                // Only the wait ended; a tool's own timeout (the read itself failed) passes through with its command.
                throw new TimeoutException("the first read of the firewall ruleset had not finished at the scrape deadline");
            }

            state = _refresh.State;
        }

        if (state.Failure is { } error && state.FailedAt >= loaded.Snapshot.TakenAt)
        {
            throw new InvalidOperationException($"firewall ruleset could not be read: {error.Message}", error);
        }

        var results = loaded.Evaluate(request);
        if (Sockets.NetworkNamespace.IsOwn(context.Paths.Procfs))
        {
            // Asked of the kernel on every collection (two netlink answers a port): routes and rules change with no
            // ruleset change, and the answer is the namespace's own, so only where procfs is this namespace's.
            results = KernelRouting.Apply(results, RouteQuery.Ask, _defaultRoutes.Observe(network, now));
        }

        return new FirewallEvidence(loaded.Snapshot.Backends, results, loaded.Snapshot.TakenAt, loaded.Snapshot.Firewalld?.Zones)
        {
            RulesetFingerprints = loaded.Fingerprints,
            Generation = loaded.Generation,
        };
    }

    /// <summary>The refresh's snapshot when it ends within <paramref name="wait"/>; else (or when it fails) <paramref name="current"/>.</summary>
    private async Task<Loaded> FreshOrCurrentAsync(Task<Loaded> running, Loaded current, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            return await running.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Too slow, or the read failed: the failure is in the refresh state and the caller reports it.
            return current;
        }
    }

    /// <summary>Reads the ruleset now, or joins the read in flight (start-up warm-up, tests); throws when the read fails.</summary>
    public async Task<RulesetSnapshot> RefreshAsync(FirewallSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var refresh = _refresh.StartIf(_ => true, ct => LoadAsync(settings, ct))!;
        return (await refresh.WaitAsync(cancellationToken).ConfigureAwait(false)).Snapshot;
    }

    /// <summary>The snapshot after the refresh in flight, if any, has finished (tests); null before the first.</summary>
    internal async Task<RulesetSnapshot?> LatestSnapshotAsync()
    {
        if (_refresh.State.InFlight is { } running)
        {
            await running.ConfigureAwait(false);
        }

        return _refresh.State.Current?.Snapshot;
    }

    public void Dispose()
    {
        _refresh.Dispose();
        _memory.Dispose();
    }

    /// <summary>
    /// A refresh is due with no snapshot, when the change signal moved, or when the snapshot is older than the refresh
    /// interval (older than <see cref="SignalledMaxAge"/> while a signal that covers every change stands still: the
    /// ruleset is not read and parsed again for nothing); after a failure, no sooner than one refresh interval after
    /// the last attempt.
    /// </summary>
    private static bool Due(RefreshState<Loaded> state, FirewallSettings settings, ulong? generation, bool complete, DateTimeOffset now)
    {
        var loaded = state.Current;
        var changed = generation is not null && loaded?.Generation is { } known && known != generation;
        var signalled = complete && generation is not null && loaded?.Generation == generation;
        var maxAge = signalled && SignalledMaxAge > settings.RefreshInterval ? SignalledMaxAge : settings.RefreshInterval;
        var due = loaded is null || changed || now - loaded.Snapshot.TakenAt >= maxAge;
        var retryAllowed = state.Failure is null || state.LastStarted is not { } last || now - last >= settings.RefreshInterval;
        return due && retryAllowed;
    }

    private async Task<Loaded> LoadAsync(FirewallSettings settings, CancellationToken cancellationToken)
    {
        // Read before the ruleset: a change during the read moves it again and triggers the next refresh.
        var generation = _signal.Read();
        var allocatedBefore = RefreshMemory.AllocatedBytes();
        var snapshot = await _reader.ReadAsync(settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var backends = string.Join(',', snapshot.Backends);
            var rules = snapshot.Ruleset.RuleCount;
            var milliseconds = (long)snapshot.ReadDuration.TotalMilliseconds;
            FirewallLog.RulesetRead(_logger, rules, snapshot.Ruleset.Tables.Count, backends, milliseconds, snapshot.RulesCompiled, snapshot.RulesReused);
        }
        var loaded = new Loaded(snapshot, new FirewallEvaluator(snapshot.Ruleset), generation);
        Request? last;
        lock (_gate)
        {
            last = _lastRequest;
        }

        if (last is not null)
        {
            loaded.Evaluate(last);
        }

        loaded.AllocatedDuringRead = RefreshMemory.AllocatedBytes() - allocatedBefore;
        return loaded;
    }

    /// <summary>Logs the first failure of a run of failures, and the recovery after it.</summary>
    private void Report(RefreshState<Loaded> state, Exception? error)
    {
        if (error is null)
        {
            // After the swap: the old snapshot is garbage now too (a scrape still answering from it keeps it alive).
            if (state.Current is { } loaded && _memory.AfterRefresh(loaded.AllocatedDuringRead))
            {
                FirewallLog.MemoryReturned(_logger, loaded.AllocatedDuringRead / (1024 * 1024));
            }

            if (Interlocked.Exchange(ref _failing, 0) == 1)
            {
                FirewallLog.RefreshRecovered(_logger);
            }
        }
        else if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            FirewallLog.RefreshFailed(_logger, $"{error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>What one collection asks: the watched ports, their listeners, the host network and the outside source.</summary>
    private sealed record Request(IReadOnlyList<PortSpec> Ports, SocketEvidence? Sockets, HostNetwork Network, IPAddress? External);

    /// <summary>A snapshot with its evaluator and the verdicts computed from it on one host network so far.</summary>
    private sealed class Loaded(RulesetSnapshot snapshot, FirewallEvaluator evaluator, ulong? generation)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<(PortSpec Port, int Listening, string Addresses, IPAddress? External), FirewallPortResult> _results = [];
        private HostNetwork? _network;

        public RulesetSnapshot Snapshot { get; } = snapshot;

        /// <summary>A fingerprint per backend of the snapshot's ruleset, for the baseline.</summary>
        public IReadOnlyList<Baseline.RulesetFingerprint> Fingerprints { get; } = Baseline.RulesetFingerprints.Of(snapshot.Ruleset);

        /// <summary>The change signal's token when the snapshot was read.</summary>
        public ulong? Generation { get; } = generation;

        /// <summary>Bytes the process allocated while the snapshot was read, compiled and first evaluated.</summary>
        public long AllocatedDuringRead { get; set; }

        public Dictionary<PortKey, FirewallPortResult> Evaluate(Request request)
        {
            var result = new Dictionary<PortKey, FirewallPortResult>(request.Ports.Count);
            lock (_gate)
            {
                if (_network is null || !_network.SameAs(request.Network))
                {
                    _results.Clear();
                    _network = request.Network;
                }

                foreach (var port in request.Ports)
                {
                    var listeners = request.Sockets?.For(port.Key).ToList();
                    var listening = listeners is null || listeners.Count == 0 ? 0 : listeners.Any(l => l.AcceptsIPv4) ? 4 : 6;
                    // The listeners' addresses choose the outside destination when none is a wildcard (ConnectionPlanner).
                    var addresses = listeners is null ? string.Empty : string.Join(' ', listeners.Select(l => l.Address.ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
                    var key = (port, listening, addresses, request.External);
                    if (!_results.TryGetValue(key, out var portResult))
                    {
                        portResult = EvaluatePort(port, listeners, _network, request.External);
                        _results[key] = portResult;
                    }

                    result[port.Key] = portResult;
                }
            }

            return result;
        }

        private FirewallPortResult EvaluatePort(PortSpec port, List<Listener>? listeners, HostNetwork network, IPAddress? externalSource)
        {
            var plan = ConnectionPlanner.Plan(port, listeners, network, externalSource);
            var inside = EvaluateSource(plan.Inside, network);
            var from = plan.From.Select(source => EvaluateSource(source, network)).ToList();
            if (plan.Outside is null)
            {
                var none = Unknown(plan.OutsideProblem);
                return new FirewallPortResult(none, inside.Decision) { InsideConnection = inside.Connection, InsideAddresses = inside.Addresses, From = from };
            }

            var (connection, outside, targets) = EvaluateOutside(port, plan, network);
            var explanation = Snapshot.Firewalld is { } firewalld ? FirewalldExplainer.Explain(firewalld, connection) : null;
            return new FirewallPortResult(outside.Decision, inside.Decision, outside.DroppedPackets, outside.Redirect, connection, explanation)
            {
                InsideConnection = inside.Connection,
                InsideAddresses = inside.Addresses,
                From = from,
                OutsideTargets = targets,
            };
        }

        /// <summary>
        /// Outside in each address family the plan names (<see cref="ConnectionPlan.OtherOutside"/>; one only a DNAT
        /// takes counts where one sends it on): when the rules tell them apart, the blocking family decides a port that
        /// must be reachable from outside, and the family that gets in decides one that must not be (internal, local),
        /// saying so. Also where the DNATs of every family send the port, which the deciding verdict alone may not name.
        /// </summary>
        private (SimulatedConnection Connection, FirewallEvaluation Evaluation, IReadOnlyList<IPEndPoint> Targets) EvaluateOutside(PortSpec port, ConnectionPlan plan, HostNetwork network)
        {
            var others = plan.OtherOutside.Select(c => (c, Evaluate(c, network, network.EgressInterface)));
            if (plan.OtherOutsideIfTranslated)
            {
                others = others.Where(w => w.Item2.Decision.TranslatedTargets.Any());
            }

            var ways = others.Prepend((plan.Outside!, Evaluate(plan.Outside!, network, network.EgressInterface))).ToList();
            Func<FirewallDecision, bool> decides = port.Expose != PortExpose.Public ? d => d.Verdict == FirewallVerdict.Accept : d => d.Blocks;
            var (connection, evaluation, split) = Decide(ways, decides, c => $"IPv{c.IpVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            IReadOnlyList<IPEndPoint> targets = ways.Count == 1 ? [] : [.. ways.SelectMany(w => w.Item2.Decision.TranslatedTargets).Distinct()];
            return (connection, split is null ? evaluation : evaluation with { Decision = WithDetail(evaluation.Decision, $"the rules tell the address families apart: {split}") }, targets);
        }

        /// <summary>
        /// One connection through the rules, then through the host's forwarding sysctls (a connection the rules send
        /// on to another address is dropped where the ingress interface does not forward, every source alike) and its
        /// reverse path filter (one the rules accept is dropped where the route back leaves by another interface).
        /// </summary>
        private FirewallEvaluation Evaluate(SimulatedConnection connection, HostNetwork network, Func<IPAddress, string?>? egress = null)
        {
            // Reverse path lookups in the rules follow the main table, so only where it holds every route (no policy routing).
            var routeBack = network.ReversePath is { OtherTables: false } ? network.EgressInterface : (Func<IPAddress, string?>?)null;
            var evaluation = NeighbourDiscovery(evaluator.Evaluate(connection, network.IsLocal, egress, routeBack), connection, network, routeBack);
            var forwarded = ForwardingSysctls.Gate(evaluation.Decision, connection, network.Forwarding);
            return evaluation with { Decision = ReversePathFilter.Gate(forwarded, connection, network.ReversePath, network.EgressInterface) };
        }

        /// <summary>
        /// An IPv6 connection the rules accept on a link is still blocked when they drop the neighbour discovery it needs
        /// first (<see cref="FirewallEvaluator.EvaluateNeighbourDiscovery"/>): the usual "policy drop, and ICMPv6 not
        /// allowed". The neighbour is the client when it is on that link (its solicitation comes from the address its
        /// connection does); else the router that forwards for it, which solicits from its link-local address (the
        /// kernel does for a packet it forwards), taken as <see cref="RouterLinkLocal"/>: the address is not read, and
        /// rules that admit neighbour discovery name its type or the link-local prefix.
        /// </summary>
        private FirewallEvaluation NeighbourDiscovery(FirewallEvaluation evaluation, SimulatedConnection connection, HostNetwork network, Func<IPAddress, string?>? routeBack)
        {
            if (connection.IpVersion != 6 || connection.Interface == HostNetwork.LoopbackInterface || evaluation.Decision.Verdict != FirewallVerdict.Accept)
            {
                return evaluation;
            }

            var neighbour = network.ConnectedInterface(connection.Source)?.Name == connection.Interface ? connection.Source : RouterLinkLocal;
            var (solicitation, advertisement) = evaluator.EvaluateNeighbourDiscovery(connection, neighbour, routeBack);
            var (blocked, message) = solicitation.Decision.Blocks ? (solicitation, "nd-neighbor-solicit")
                : advertisement.Decision.Blocks ? (advertisement, "nd-neighbor-advert")
                : (null, null);
            if (blocked is null)
            {
                return evaluation;
            }

            var what = message == "nd-neighbor-solicit"
                ? $"the neighbor solicitation {neighbour} sends to learn this host's link-layer address"
                : $"the neighbor advertisement {neighbour} answers this host's solicitation with";
            // The deciding rule is the dropped message's; where a DNAT sends the connection stays the connection's own
            // (its path through the hooks, which ends in an accept, is not this verdict's).
            var accepted = evaluation.Decision;
            return evaluation with
            {
                DroppedPackets = blocked.DroppedPackets,
                Decision = blocked.Decision with
                {
                    Verdict = FirewallVerdict.Drop,
                    NeighbourDiscovery = message,
                    Detail = $"IPv6 neighbour discovery on {connection.Interface} is blocked: {what} (ICMPv6 {message}) is dropped, so no IPv6 client there gets as far as the port, which the rules accept ({accepted.Rule})",
                    ForwardedTo = accepted.ForwardedTo,
                    ForwardedToChoices = accepted.ForwardedToChoices,
                    DeliveredTo = accepted.DeliveredTo,
                },
            };
        }

        /// <summary>
        /// A source's verdict over its connections (a range's two ends, inside's one client per internal network): the
        /// same for all is the source's; when the rules tell them apart, the blocking (else the unknown) one's, saying
        /// so. A source reachable from only some of them is not reachable as promised.
        /// </summary>
        private SourceVerdict EvaluateSource(PlannedSource source, HostNetwork network)
        {
            if (source.Connections.Count == 0)
            {
                return new SourceVerdict(source.Source, Unknown(source.Problem), null);
            }

            var ends = source.Connections.Select(c => (c, Evaluate(c, network))).ToList();
            var inside = source.Source == SourceVerdict.InsideSource;
            var (connection, evaluation, split) = Decide(ends, d => d.Blocks, c => inside ? $"{c.Source} on {c.Interface}" : c.Source.ToString());
            var decision = evaluation.Decision;
            if (split is not null)
            {
                decision = WithDetail(decision, $"the rules tell {(inside ? "the internal networks" : "the range")} apart: {split}");
            }

            if (source.Problem is { } note)
            {
                decision = WithDetail(decision, note);
            }

            return new SourceVerdict(source.Source, decision, connection)
            {
                Addresses = [.. ends.Select(e => e.Item1.Source)],
                DroppedPackets = evaluation.DroppedPackets,
                Firewalld = Snapshot.Firewalld is { } firewalld ? FirewalldExplainer.Explain(firewalld, connection) : null,
            };
        }

        /// <summary>
        /// The deciding one of several connections of one promise (a range's two ends, the internal networks, the
        /// address families): the same verdict for all is theirs; else the first <paramref name="decides"/> picks, else
        /// the first unknown, else the first, with the split in words (<paramref name="label"/> and verdict of each);
        /// the split is null when all agree.
        /// </summary>
        private static (SimulatedConnection Connection, FirewallEvaluation Evaluation, string? Split) Decide(
            List<(SimulatedConnection Connection, FirewallEvaluation Evaluation)> ways, Func<FirewallDecision, bool> decides, Func<SimulatedConnection, string> label)
        {
            if (ways.Select(w => w.Evaluation.Decision.Verdict).Distinct().Count() == 1)
            {
                return (ways[0].Connection, ways[0].Evaluation, null);
            }

            var deciding = ways.FirstOrDefault(w => decides(w.Evaluation.Decision));
            if (deciding.Connection is null)
            {
                deciding = ways.FirstOrDefault(w => w.Evaluation.Decision.Verdict == FirewallVerdict.Unknown);
            }

            if (deciding.Connection is null)
            {
                deciding = ways[0];
            }

            var split = string.Join(", ", ways.Select(w => $"{label(w.Connection)} {w.Evaluation.Decision.Verdict.ToString().ToLowerInvariant()}"));
            return (deciding.Connection, deciding.Evaluation, split);
        }

        private static FirewallDecision WithDetail(FirewallDecision decision, string more) =>
            decision with { Detail = decision.Detail is null ? more : $"{decision.Detail}; {more}" };

        private static FirewallDecision Unknown(string? why) =>
            new(FirewallVerdict.Unknown, FirewallBackends.None, string.Empty, string.Empty, string.Empty) { Detail = why };
    }
}
