using PortExporter.Core.Collection;
using PortExporter.Core.Firewall;
using PortExporter.Firewall.Evaluation;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// Writes the firewall evidence (hypothesis A): whether a source each watched port must be reachable from is
/// blocked (<see cref="FirewallPortResult.Promised"/>, the diagnosis's own), the deciding rule per source, the
/// blocking rule's drop counter, the backends, firewalld's zones and
/// the age of the ruleset snapshot. Series of ports no longer watched disappear; with no firewall evidence
/// (collector failed or disabled) every series disappears. Called once per collection; thread-safe.
/// </summary>
public sealed class FirewallMetrics : IMetricsWriter
{
    private readonly SeriesSet _blocked;
    private readonly SeriesSet _verdict;
    private readonly SeriesSet _backends;
    private readonly SeriesSet _zones;
    private readonly Gauge _age;
    private readonly Counter _dropped;
    private readonly Lock _gate = new();
    private Dictionary<string, (string[] Labels, double Value)> _droppedSeries = new(StringComparer.Ordinal);

    public FirewallMetrics(IMetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _blocked = new SeriesSet(
            factory,
            "port_firewall_blocked",
            "1 when the host's firewall drops or rejects a new connection to the port from a source its intent says must get through (each from: range; else outside for expose public, every internal network for expose internal), 0 when it accepts every such source; absent when one of their verdicts is unknown or the port promises none (expose local).",
            PortLabels.Names);
        _verdict = new SeriesSet(
            factory,
            "port_firewall_verdict_info",
            "The firewall's verdict for a new connection to the port per source: outside (firewall.external_source on the outside interface), inside (a client on each internal network, the blocking one deciding, or the host itself over loopback when it has none) and each from: range of the port (its CIDR), with the deciding rule (handle or position and text) or chain policy. Always 1.",
            PortLabels.With("source", "verdict", "backend", "table", "chain", "rule"));
        _backends = new SeriesSet(
            factory,
            "port_host_firewall_backend_info",
            "A firewall backend with rules on this host (nftables, iptables-nft, ip6tables-nft, iptables-legacy, ip6tables-legacy, firewalld). Always 1.",
            "backend");
        _zones = new SeriesSet(
            factory,
            "port_firewalld_zone_info",
            "A firewalld zone and the interfaces bound to it (comma-separated). Always 1; only when firewalld runs.",
            "zone",
            "interfaces");
        _age = factory.CreateGauge(
            "port_firewall_snapshot_age_seconds",
            "Age of the firewall ruleset snapshot the verdicts come from, at the time of the collection (the ruleset is read off the scrape path every firewall.refresh_interval).");
        _dropped = factory.CreateCounter(
            "port_firewall_dropped_packets_total",
            "Packets counted by the drop/reject rule that blocks connections to the port from a source it must be reachable from (the one port_firewall_blocked reports; the kernel's rule counter: evidence that traffic arrives and is thrown away). Absent when a chain policy blocks, or the backend keeps no counter on that rule.",
            PortLabels.Names);
        _age.Unpublish();
    }

    public void Write(EvidenceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var firewall = snapshot.Firewall;
        if (firewall is null)
        {
            lock (_gate)
            {
                _blocked.Replace([]);
                _verdict.Replace([]);
                _backends.Replace([]);
                _zones.Replace([]);
                _age.Unpublish();
                ReplaceDropped([]);
            }

            return;
        }

        var blocked = new List<(string[], double)>();
        var verdicts = new List<(string[], double)>();
        var dropped = new List<(string[], double)>();
        foreach (var port in snapshot.Ports)
        {
            if (!firewall.Ports.TryGetValue(port.Key, out var result))
            {
                continue;
            }

            // The promised sources' verdicts, the ones port_firewall_verdict_info shows: a block of any is the page's cause.
            var promised = result.Promised(port);
            var blocking = promised.FirstOrDefault(s => s.Decision.Blocks);
            if (blocking is not null || (promised.Count > 0 && promised.All(s => s.Decision.Verdict != FirewallVerdict.Unknown)))
            {
                blocked.Add((PortLabels.Of(port), blocking is null ? 0 : 1));
            }

            verdicts.AddRange(result.Sources.Select(source => (VerdictLabels(port, source.Source, source.Decision), 1.0)));
            if (blocking?.DroppedPackets is { } packets)
            {
                dropped.Add((PortLabels.Of(port), packets));
            }
        }

        lock (_gate)
        {
            _blocked.Replace(blocked);
            _verdict.Replace(verdicts);
            _backends.Replace(firewall.Backends.Select(b => (new[] { b }, 1.0)));
            _zones.Replace((firewall.FirewalldZones ?? []).Select(z => (new[] { z.Name, string.Join(',', z.Interfaces) }, 1.0)));
            _age.Set(Math.Max(0, (snapshot.TakenAt - firewall.SnapshotTakenAt).TotalSeconds));
            _age.Publish();
            ReplaceDropped(dropped);
        }
    }

    private static string[] VerdictLabels(Configuration.PortSpec port, string source, FirewallDecision decision) =>
        PortLabels.Of(port, source, decision.Verdict.ToString().ToLowerInvariant(), decision.Backend, decision.Table, decision.Chain, decision.Rule);

    /// <summary>
    /// Counters follow the kernel's: a higher value moves the series up (IncTo); a lower one means the kernel's
    /// counter was reset (rule replaced, ruleset reloaded), so the series is recreated and Prometheus sees a reset.
    /// </summary>
    private void ReplaceDropped(List<(string[] Labels, double Value)> series)
    {
        var next = new Dictionary<string, (string[] Labels, double Value)>(StringComparer.Ordinal);
        foreach (var (labels, value) in series)
        {
            var key = string.Join('\u0001', labels);
            if (_droppedSeries.TryGetValue(key, out var previous) && value < previous.Value)
            {
                _dropped.RemoveLabelled(labels);
            }

            _dropped.WithLabels(labels).IncTo(value);
            next[key] = (labels, value);
        }

        foreach (var (key, (labels, _)) in _droppedSeries)
        {
            if (!next.ContainsKey(key))
            {
                _dropped.RemoveLabelled(labels);
            }
        }

        _droppedSeries = next;
    }
}
