using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>
/// The watched set: the configured ports, plus (auto-watch, <see cref="ExporterConfig.DiscoversPorts"/>) the ports
/// of lasting listeners. A listener is auto-watched once it has existed for <c>auto_watch.min_age</c> and only when
/// its port is outside the kernel's ephemeral range; a port whose listener has been gone for
/// <c>auto_watch.forget_after</c> is forgotten; beyond <c>auto_watch.max_ports</c> the least recently seen
/// auto-watched port is evicted (the newest first among those seen equally recently, so a flood evicts itself and
/// never a configured port), counted in <see cref="Evicted"/> and logged. An auto-watched port is named
/// <c>auto-PORT-PROTO</c> and its intent is inferred (<see cref="AutoWatchIntent"/>). Thread-safe.
/// </summary>
public sealed class WatchedPortResolver(TimeProvider? time = null, ILogger<WatchedPortResolver>? logger = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger<WatchedPortResolver>.Instance;
    private readonly Lock _gate = new();
    private readonly Dictionary<PortKey, AutoWatchEntry> _entries = [];
    private long _evicted;

    /// <summary>Evicted ports named in one log line at most (a flood is one line, not one per port).</summary>
    private const int MaxNamesLogged = 10;

    /// <summary>Auto-watched ports evicted by the cap since start (<c>port_exporter_auto_watch_evicted_total</c>).</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public IReadOnlyList<PortSpec> Resolve(ExporterConfig config, SocketEvidence? sockets, ProcessEvidence? processes, HostNetwork? network = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.DiscoversPorts)
        {
            return config.Ports;
        }

        var settings = config.AutoWatch;
        var configured = config.Ports.Select(p => p.Key).ToHashSet();
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (sockets is not null)
            {
                Observe(sockets, configured, network, now);
                Promote(settings, now);
                Forget(settings, now);
                Evict(settings);
            }

            return [.. config.Ports, .. _entries.Values.Where(e => e.Watched).OrderBy(e => e.Key.Port).ThenBy(e => e.Key.Protocol).Select(e => e.Spec)];
        }
    }

    /// <summary>
    /// Settles the intent of auto-watched ports on a wildcard or outside address from the first firewall verdict
    /// seen for them (accepted from outside: public; blocked: internal); returns <paramref name="ports"/> with the
    /// settled intents. Ports without a verdict yet stay as they are.
    /// </summary>
    public IReadOnlyList<PortSpec> Settle(IReadOnlyList<PortSpec> ports, FirewallEvidence? firewall)
    {
        ArgumentNullException.ThrowIfNull(ports);
        if (firewall is null)
        {
            return ports;
        }

        lock (_gate)
        {
            var changed = false;
            var settled = new List<PortSpec>(ports.Count);
            foreach (var port in ports)
            {
                if (port.Origin == IntentOrigin.Inferred
                    && _entries.TryGetValue(port.Key, out var entry)
                    && entry is { Watched: true, Settled: false }
                    && firewall.Ports.TryGetValue(port.Key, out var result)
                    && AutoWatchIntent.FromFirstVerdict(result.Outside.Verdict) is { } expose)
                {
                    entry.Settle(expose);
                    AutoWatchLog.IntentSettled(_logger, entry.Spec.Name, expose, result.Outside.Verdict);
                    settled.Add(entry.Spec);
                    changed = true;
                }
                else
                {
                    settled.Add(port.Origin == IntentOrigin.Inferred && _entries.TryGetValue(port.Key, out var e) ? e.Spec : port);
                }
            }

            return changed ? settled : ports;
        }
    }

    /// <summary>Forgets auto-watched ports (on reload).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    private void Observe(SocketEvidence sockets, HashSet<PortKey> configured, HostNetwork? network, DateTimeOffset now)
    {
        var present = new HashSet<PortKey>();
        foreach (var group in sockets.Listeners.GroupBy(l => l.Key))
        {
            var key = group.Key;
            if (configured.Contains(key) || (key.Port >= sockets.EphemeralPortStart && key.Port <= sockets.EphemeralPortEnd))
            {
                continue;
            }

            present.Add(key);
            if (_entries.TryGetValue(key, out var entry))
            {
                entry.Seen(now, group.ToList(), network);
            }
            else
            {
                _entries[key] = new AutoWatchEntry(key, now, group.ToList(), network);
            }
        }

        // A listener that went away before it was watched starts again from zero when it comes back; an evicted
        // port may come back once its listener is gone.
        foreach (var key in _entries.Where(e => !e.Value.Watched && !present.Contains(e.Key)).Select(e => e.Key).ToList())
        {
            _entries.Remove(key);
        }
    }

    private void Promote(AutoWatchSettings settings, DateTimeOffset now)
    {
        foreach (var entry in _entries.Values.Where(e => e is { Watched: false, Evicted: false } && now - e.FirstSeen >= settings.MinAge))
        {
            entry.Watch();
            AutoWatchLog.Watching(_logger, entry.Spec.Name, entry.Spec.Expose, entry.Settled);
        }
    }

    private void Forget(AutoWatchSettings settings, DateTimeOffset now)
    {
        foreach (var entry in _entries.Values.Where(e => e.Watched && now - e.LastSeen >= settings.ForgetAfter).ToList())
        {
            _entries.Remove(entry.Key);
            AutoWatchLog.Forgotten(_logger, entry.Spec.Name, settings.ForgetAfter);
        }
    }

    private void Evict(AutoWatchSettings settings)
    {
        var watched = _entries.Values.Where(e => e.Watched).ToList();
        var over = watched.Count - settings.MaxPorts;
        if (over <= 0)
        {
            return;
        }

        var evicted = watched.OrderBy(e => e.LastSeen).ThenByDescending(e => e.FirstSeen).ThenByDescending(e => e.Key.Port).Take(over).ToList();
        foreach (var entry in evicted)
        {
            entry.Evict();
        }

        Interlocked.Add(ref _evicted, evicted.Count);
        var names = string.Join(", ", evicted.Take(MaxNamesLogged).Select(e => e.Spec.Name)) + (evicted.Count > MaxNamesLogged ? ", ..." : string.Empty);
        AutoWatchLog.Evicted(_logger, evicted.Count, settings.MaxPorts, names);
    }

    /// <summary>The <c>service</c> label of an auto-watched port: never the process's own choice of name.</summary>
    public static string ServiceName(PortKey key) => $"auto-{key.Port.ToString(CultureInfo.InvariantCulture)}-{key.Protocol.ToLabel()}";

    /// <summary>One listener port auto-watch has seen: pending until it is old enough, then watched (or evicted).</summary>
    private sealed class AutoWatchEntry(PortKey key, DateTimeOffset firstSeen, IReadOnlyList<Listener> listeners, HostNetwork? network)
    {
        private IReadOnlyList<Listener> _listeners = listeners;
        private HostNetwork? _network = network;

        public PortKey Key { get; } = key;

        public DateTimeOffset FirstSeen { get; } = firstSeen;

        public DateTimeOffset LastSeen { get; private set; } = firstSeen;

        public bool Watched { get; private set; }

        public bool Evicted { get; private set; }

        public bool Settled { get; private set; }

        public PortSpec Spec { get; private set; } = new(ServiceName(key), key.Port, key.Protocol) { Origin = IntentOrigin.Inferred };

        public void Seen(DateTimeOffset now, IReadOnlyList<Listener> listeners, HostNetwork? network)
        {
            LastSeen = now;
            if (!Watched)
            {
                _listeners = listeners;
                _network = network;
            }
        }

        public void Watch()
        {
            Watched = true;
            var inferred = AutoWatchIntent.FromListeners(_listeners, _network);
            Settled = inferred is not null;
            Spec = Spec with { Expose = inferred ?? PortExpose.Public };
        }

        public void Settle(PortExpose expose)
        {
            Settled = true;
            Spec = Spec with { Expose = expose };
        }

        public void Evict()
        {
            Watched = false;
            Evicted = true;
        }
    }
}
