using System.Globalization;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Backend;

/// <summary>
/// The backend behind a DNAT (stage 3, after the firewall): for each address and port the firewall's verdicts
/// forward a watched port to, the network namespace on this host that owns the address (a container's or pod's) and
/// what listens there. One pass over <c>&lt;procfs&gt;/PID</c> per collection, each namespace read once
/// (<see cref="NamespaceTables"/>), bounded by <see cref="BackendLimits"/> and the scrape deadline. The host's own
/// namespace (PID 1's) is never searched: a DNAT to one of its addresses is local delivery, not forwarding. A backend
/// not found, or not readable, is missing evidence, never "not listening". Thread-safe.
/// </summary>
public sealed class BackendCollector(ILogger<BackendCollector> logger) : IEvidenceSource
{
    public string Name => CollectorNames.Backends;

    /// <summary>The distinct targets the verdicts of <paramref name="firewall"/> forward to, in port order.</summary>
    public static IReadOnlyList<BackendTarget> TargetsOf(FirewallEvidence? firewall)
    {
        if (firewall is null)
        {
            return [];
        }

        return [.. firewall.Ports
            .OrderBy(p => p.Key.Port).ThenBy(p => p.Key.Protocol)
            .SelectMany(p => TargetsOf(p.Value, p.Key.Protocol))
            .Distinct()];
    }

    /// <summary>The distinct targets the verdicts of one port's sources (<paramref name="result"/>) forward it to.</summary>
    public static IEnumerable<BackendTarget> TargetsOf(FirewallPortResult result, TransportProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Sources.SelectMany(s => s.Decision.TranslatedTargets).Concat(result.OutsideTargets)
            .Select(to => new BackendTarget(to.Address, to.Port, protocol)).Distinct();
    }

    /// <summary>
    /// Where the userland proxies that hold <paramref name="port"/> on this host send it (<see cref="ProcessInfo.Forward"/>:
    /// docker-proxy's container address): a proxy accepts every connection itself, so only its backend tells whether
    /// anything serves them.
    /// </summary>
    public static IEnumerable<BackendTarget> ProxiedTargetsOf(PortKey port, SocketEvidence? sockets, ProcessEvidence? processes) =>
        ProxiesOf(port, sockets, processes).Select(p => p.Target).Distinct();

    /// <summary>Each userland proxy holding a listener of <paramref name="port"/>, with where it forwards the port.</summary>
    public static IEnumerable<(ProcessInfo Proxy, BackendTarget Target)> ProxiesOf(PortKey port, SocketEvidence? sockets, ProcessEvidence? processes)
    {
        if (sockets is null || processes is null)
        {
            yield break;
        }

        foreach (var listener in sockets.For(port))
        {
            if (processes.OwnersByInode.GetValueOrDefault(listener.Inode) is { Forward: { } forward } proxy
                && forward.Protocol == port.Protocol && forward.HostPort == port.Port)
            {
                yield return (proxy, new BackendTarget(forward.Backend, forward.BackendPort, forward.Protocol));
            }
        }
    }

    /// <summary>Every backend of <paramref name="port"/>: where its DNATs send it, then where the proxies holding it forward it.</summary>
    public static IReadOnlyList<BackendTarget> TargetsOf(PortSpec port, EvidenceSnapshot evidence)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(evidence);
        var translated = evidence.Firewall?.Ports.GetValueOrDefault(port.Key) is { } result ? TargetsOf(result, port.Protocol) : [];
        return [.. translated.Concat(ProxiedTargetsOf(port.Key, evidence.Sockets, evidence.Processes)).Distinct()];
    }

    public Task<BackendEvidence?> CollectAsync(CollectionContext context, IReadOnlyList<BackendTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(targets);
        return Task.FromResult<BackendEvidence?>(Search(context.Paths.Procfs, targets, context.Time, cancellationToken));
    }

    /// <summary>Finds the namespace of each target and reads its listeners.</summary>
    public BackendEvidence Search(string procfs, IReadOnlyList<BackendTarget> targets, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(time);
        var scan = Scan(procfs, time, cancellationToken);
        var results = new List<BackendResult>(targets.Count);
        var addresses = new Dictionary<ulong, IReadOnlyList<System.Net.IPAddress>?>();
        var read = 0;
        foreach (var target in targets)
        {
            BackendResult? result = null;
            foreach (var (key, pids) in Candidates(scan, target))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!addresses.TryGetValue(key, out var owned))
                {
                    read++;
                    owned = ReadAddresses(procfs, key, pids);
                    addresses[key] = owned;
                }

                if (owned is not null && BackendMatcher.Owns(owned, target.Address))
                {
                    result = Inspect(procfs, target, key, pids, cancellationToken);
                    break;
                }
            }

            results.Add(result ?? NotFound(target, scan, addresses.Values.Count(a => a is null)));
        }

        var located = results.Count(r => r.Namespace is not null);
        BackendLog.Searched(logger, targets.Count, scan.Processes, read, located);
        return new BackendEvidence(results, scan.Processes, read);
    }

    /// <summary>
    /// The namespaces that may own <paramref name="target"/>, in the order to ask them: the others, then this host's own
    /// (where a REDIRECT, or a DNAT to one of its addresses, delivers the port); for a loopback address, which every
    /// namespace has, this host's alone (a DNAT to 127.0.0.1 from outside, with route_localnet on).
    /// </summary>
    private static IEnumerable<KeyValuePair<ulong, List<int>>> Candidates(Scanned scan, BackendTarget target)
    {
        var own = scan.Own is { } key && scan.Namespaces.TryGetValue(key, out var pids) ? new KeyValuePair<ulong, List<int>>(key, pids) : (KeyValuePair<ulong, List<int>>?)null;
        if (System.Net.IPAddress.IsLoopback(target.Address))
        {
            return own is { } self ? [self] : [];
        }

        var others = scan.Namespaces.Where(n => n.Key != scan.Own);
        return own is { } last ? others.Append(last) : others;
    }

    /// <summary>
    /// Every namespace by key, with up to <see cref="BackendLimits.MaxOwnerProcesses"/> of its processes; the one the
    /// exporter reads as this host's (its own, through <c>self</c>) is <see cref="Scanned.Own"/>.
    /// </summary>
    private static Scanned Scan(string procfs, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var self = SelfPid(procfs);
        var own = self is { } me ? NamespaceTables.KeyOf(procfs, me, out _) : 0;
        var namespaces = new Dictionary<ulong, List<int>>();

        var processes = 0;
        var denied = 0;
        string? cut = null;
        foreach (var pid in Processes.ProcfsEntries.Pids(procfs))
        {
            if (processes >= BackendLimits.MaxProcesses)
            {
                cut = string.Create(CultureInfo.InvariantCulture, $"the search stopped after {BackendLimits.MaxProcesses} processes");
                break;
            }

            if ((processes & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (time.GetElapsedTime(started) > BackendLimits.TimeBudget)
                {
                    cut = string.Create(CultureInfo.InvariantCulture, $"the search stopped after {BackendLimits.TimeBudget.TotalSeconds} s ({processes} processes)");
                    break;
                }
            }

            processes++;
            var key = NamespaceTables.KeyOf(procfs, pid, out var refused);
            denied += refused ? 1 : 0;
            if (key == 0)
            {
                continue;
            }

            if (!namespaces.TryGetValue(key, out var pids))
            {
                if (namespaces.Count >= BackendLimits.MaxNamespaces)
                {
                    cut = string.Create(CultureInfo.InvariantCulture, $"the search stopped at {BackendLimits.MaxNamespaces} namespaces");
                    continue;
                }

                namespaces[key] = pids = [];
            }

            if (pids.Count < BackendLimits.MaxOwnerProcesses)
            {
                pids.Add(pid);
            }
        }

        if (own != 0 && !namespaces.ContainsKey(own))
        {
            namespaces[own] = [self!.Value];
        }

        return new Scanned(namespaces, processes, denied, cut) { Own = own == 0 ? null : own };
    }

    /// <summary>The exporter's own process id as <paramref name="procfs"/> names it (its <c>self</c> link); null where that procfs has none for it.</summary>
    private static int? SelfPid(string procfs) =>
        new DirectoryInfo(Path.Combine(procfs, "self")).LinkTarget is { } target
        && int.TryParse(Path.GetFileName(target), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    /// <summary>The namespace's addresses through the first of its processes still there; null when none could be read.</summary>
    private IReadOnlyList<System.Net.IPAddress>? ReadAddresses(string procfs, ulong key, List<int> pids)
    {
        foreach (var pid in pids)
        {
            try
            {
                return NamespaceTables.Addresses(procfs, pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ProcfsFormatException)
            {
                Unreadable(logger, "addresses", key, e);
            }
        }

        return null;
    }

    /// <summary>Reads the listeners of the namespace that owns the target and names their owners.</summary>
    private BackendResult Inspect(string procfs, BackendTarget target, ulong key, List<int> pids, CancellationToken cancellationToken)
    {
        foreach (var pid in pids)
        {
            if (NamespaceTables.Describe(procfs, pid) is not { } process)
            {
                continue;
            }

            var ns = new BackendNamespace(key, NamespaceTables.LinkOf(procfs, pid), process);
            IReadOnlyList<Listener> listeners;
            try
            {
                listeners = NamespaceTables.Listeners(procfs, pid, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ProcfsFormatException)
            {
                Unreadable(logger, "socket tables", key, e);
                continue;
            }

            var serving = BackendMatcher.Serving(listeners, target);
            var onPort = listeners.Where(l => l.Protocol == target.Protocol && l.Port == target.Port).ToList();
            var owners = NamespaceTables.Owners(procfs, pids, [.. onPort.Select(l => l.Inode)], cancellationToken);
            var detail = serving.Count == 0 && onPort.Count > 0
                ? $"bound on {string.Join(", ", onPort.Select(l => l.EndpointText).Distinct())} only, not on {target.Label}"
                : null;
            return new BackendResult(target, serving.Count > 0 ? BackendStatus.Listening : BackendStatus.NotListening, ns, serving, detail) { Owners = owners };
        }

        return new BackendResult(target, BackendStatus.Unreadable, null, [], "the namespace that owns the address was found, but its socket tables could not be read");
    }

    private static BackendResult NotFound(BackendTarget target, Scanned scan, int unreadable)
    {
        var seen = string.Create(CultureInfo.InvariantCulture, $"{scan.Namespaces.Count} namespaces of {scan.Processes} processes looked at");
        if (scan.Cut is { } cut)
        {
            return new BackendResult(target, BackendStatus.NamespaceNotFound, null, [], $"no namespace found that owns {target.Address}: {cut} ({seen})");
        }

        if (unreadable > 0 || scan.Denied > 0)
        {
            return new BackendResult(target, BackendStatus.Unreadable, null, [], string.Create(CultureInfo.InvariantCulture, $"no readable namespace owns {target.Address}; {unreadable + scan.Denied} could not be read ({seen})"));
        }

        return new BackendResult(target, BackendStatus.NamespaceNotFound, null, [], $"no network namespace on this host owns {target.Address} ({seen}): another host, or a namespace without a process") { EveryNamespaceRead = true };
    }

    private static void Unreadable(ILogger logger, string what, ulong key, Exception error)
    {
        var name = key.ToString(CultureInfo.InvariantCulture);
        BackendLog.NamespaceUnreadable(logger, what, name, error.Message);
    }

    private sealed record Scanned(Dictionary<ulong, List<int>> Namespaces, int Processes, int Denied, string? Cut)
    {
        /// <summary>The key of the namespace the exporter reads as this host's; null when it could not be told.</summary>
        public ulong? Own { get; init; }
    }
}
