using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// The probe series: <c>port_probe_success</c>, <c>port_probe_duration_seconds</c> and
/// <c>port_probe_failure_reason{reason}</c> per (service, port, protocol, vantage, address), <c>port_vantage_up</c>
/// per remote vantage, <c>port_probes_skipped</c>, the two counts a fleet's rules read instead of every probe series
/// (<c>port_outside_probes</c> per port, <c>port_vantage_probes_succeeded{vantage}</c> per remote vantage; on a vantage,
/// <c>port_target_probes{host}</c> per host of its probe targets), and <c>port_probe_last_run_timestamp_seconds{vantage}</c> (when the
/// latest probe round with results from that vantage ended). A failure reason has a series (value 1) only while it is the
/// current one; a succeeding probe has none. Series of probes no longer run disappear, and so do the results of a
/// probe round that is no evidence (none yet, or stale: see <see cref="ProbeEvidence.WhyNotEvidence"/>); their
/// timestamps stay. Also writes the answer of
/// <c>/probe</c> (on a per-request registry). Thread-safe (writes are serialised per collection).
/// </summary>
public sealed class ProbeMetrics : IMetricsWriter
{
    private static readonly string[] ProbeLabelNames = PortLabels.With("vantage", "address");
    private static readonly string[] TargetLabelNames = ["target", "host", "address", "protocol"];

    private readonly SeriesSet _success;
    private readonly SeriesSet _duration;
    private readonly SeriesSet _reason;
    private readonly SeriesSet? _vantageUp;
    private readonly SeriesSet? _outside;
    private readonly SeriesSet? _vantageSucceeded;
    private readonly SeriesSet? _lastRun;
    private readonly SeriesSet? _targetSuccess;
    private readonly SeriesSet? _targetDuration;
    private readonly SeriesSet? _targetReason;
    private readonly SeriesSet? _targetsPerHost;
    private readonly Gauge _skipped;

    public ProbeMetrics(IMetricFactory factory)
        : this(factory, withVantages: true)
    {
    }

    private ProbeMetrics(IMetricFactory factory, bool withVantages)
    {
        _success = new SeriesSet(
            factory,
            "port_probe_success",
            "1 when the probe connected (tcp) or got an answer (udp) from this vantage and address, 0 when not.",
            ProbeLabelNames);
        _duration = new SeriesSet(
            factory,
            "port_probe_duration_seconds",
            "Wall time of the probe, name resolution included.",
            ProbeLabelNames);
        _reason = new SeriesSet(
            factory,
            "port_probe_failure_reason",
            "1 for why the probe failed: refused (nothing listens, REJECT with port-unreachable or tcp-reset), timeout (no answer: DROP, NAT forwarding nothing, silent udp service), unreachable (ICMP host/net unreachable or admin-prohibited), reset, dns, error. No series while the probe succeeds.",
            [.. ProbeLabelNames, "reason"]);
        _vantageUp = !withVantages ? null : new SeriesSet(
            factory,
            "port_vantage_up",
            "1 when the remote PortExporter of this vantage answered its /probe requests; 0 means no outside view, not a blocked port.",
            "vantage");
        _outside = !withVantages ? null : new SeriesSet(
            factory,
            "port_outside_probes",
            "Outside probes of the port with a result in the latest round (its external addresses, and remote vantages that answered): the count the outside quorum divides by; those that failed are port_probe_failure_reason's series of the same vantages. No series without such a probe.",
            PortLabels.Names);
        _vantageSucceeded = !withVantages ? null : new SeriesSet(
            factory,
            "port_vantage_probes_succeeded",
            "Probes this remote vantage made of the host's ports in the latest round that succeeded; 0 when every one failed. A series only while the vantage has results (it answered).",
            "vantage");
        _lastRun = !withVantages ? null : new SeriesSet(
            factory,
            "port_probe_last_run_timestamp_seconds",
            "When the latest probe round with results from this vantage ended (Unix seconds). Probes run every probes.interval; results two intervals old are stale and no evidence.",
            "vantage");
        _targetSuccess = !withVantages ? null : new SeriesSet(
            factory,
            "port_target_probe_success",
            "1 when this exporter's scheduled probe of the configured probe target connected (tcp) or got an answer (udp), 0 when not; host is the target's host label from the config.",
            TargetLabelNames);
        _targetDuration = !withVantages ? null : new SeriesSet(
            factory,
            "port_target_probe_duration_seconds",
            "Wall time of the scheduled probe of the configured probe target, name resolution included.",
            TargetLabelNames);
        _targetReason = !withVantages ? null : new SeriesSet(
            factory,
            "port_target_probe_failure_reason",
            "1 for why the scheduled probe of the configured probe target failed (the reasons of port_probe_failure_reason). No series while it succeeds.",
            [.. TargetLabelNames, "reason"]);
        _targetsPerHost = !withVantages ? null : new SeriesSet(
            factory,
            "port_target_probes",
            "Scheduled probes of the configured probe targets of this host (their host label) with a result in the latest round; those that failed are port_target_probe_failure_reason's series. Targets without a host are not counted.",
            "host");
        _skipped = factory.CreateGauge(
            "port_probes_skipped",
            "Probes of the latest probe round that could not start before its deadline (raise probes.concurrency or lower probes.timeout).");
    }

    /// <summary>The series of one <c>/probe</c> answer (no <c>port_vantage_up</c>: a remote's answer has no vantages).</summary>
    public static ProbeMetrics ForProbeAnswer(IMetricFactory factory) => new(factory, withVantages: false);

    public void Write(EvidenceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var all = snapshot.Probes;
        var probes = all?.WhyNotEvidence(snapshot.TakenAt, snapshot.Config.Probes.Interval) is null ? all : null;
        var results = new List<(string[] PortLabels, ProbeResult Result)>();
        if (probes is not null)
        {
            foreach (var port in snapshot.Ports)
            {
                if (probes.Ports.TryGetValue(port.Key, out var list))
                {
                    var labels = PortLabels.Of(port);
                    results.AddRange(list.Select(r => (labels, r)));
                }
            }
        }

        WriteResults(results, probes?.Skipped ?? 0);
        WriteCounts(results);
        _vantageUp?.Replace((probes?.VantageUp ?? new Dictionary<string, bool>()).Select(v => (new[] { v.Key }, v.Value ? 1.0 : 0.0)));
        WriteTargets(snapshot, probes);
        _lastRun?.Replace((all?.LastAnswered ?? new Dictionary<string, DateTimeOffset>()).Select(v => (new[] { v.Key }, v.Value.ToUnixTimeMilliseconds() / 1000.0)));
    }

    /// <summary>Replaces the probe series with <paramref name="results"/>; each comes with its service, port and protocol label values.</summary>
    public void WriteResults(IReadOnlyList<(string[] PortLabels, ProbeResult Result)> results, int skipped)
    {
        _success.Replace(results.Select(r => (Labels(r.PortLabels, r.Result), r.Result.Success ? 1.0 : 0.0)));
        _duration.Replace(results.Select(r => (Labels(r.PortLabels, r.Result), r.Result.Duration.TotalSeconds)));
        _reason.Replace(results
            .Where(r => !r.Result.Success)
            .Select(r => ((string[])[.. Labels(r.PortLabels, r.Result), r.Result.Reason.ToLabel()], 1.0)));
        _skipped.Set(skipped);
    }

    /// <summary>
    /// Per port (its results share one label array), how many of its results are outside views; per remote vantage, how many of its results succeeded.
    /// With the failures' own series (sparse: none while probes succeed) these answer what a fleet's rules ask
    /// (a port's outside quorum, a vantage that fails everywhere) without reading one series per probe.
    /// </summary>
    private void WriteCounts(List<(string[] PortLabels, ProbeResult Result)> results)
    {
        if (_outside is null || _vantageSucceeded is null)
        {
            return;
        }

        _outside.Replace(results
            .Where(r => !ProbeVantageNames.IsInside(r.Result.Vantage))
            .GroupBy(r => r.PortLabels)
            .Select(g => (g.Key, (double)g.Count())));
        _vantageSucceeded.Replace(results
            .Where(r => !ConfigDefaults.LocalVantages.Contains(r.Result.Vantage))
            .GroupBy(r => r.Result.Vantage, StringComparer.Ordinal)
            .Select(g => (new[] { g.Key }, (double)g.Count(r => r.Result.Success))));
    }

    /// <summary>The scheduled probes of the configured probe targets (only those still configured).</summary>
    private void WriteTargets(EvidenceSnapshot snapshot, ProbeEvidence? probes)
    {
        if (_targetSuccess is null || _targetDuration is null || _targetReason is null || _targetsPerHost is null)
        {
            return;
        }

        var results = snapshot.Config.ProbeTargets
            .Where(t => probes is not null && probes.Targets.ContainsKey(t.Name))
            .Select(t => (Labels: new[] { t.Name, t.Host ?? string.Empty, probes!.Targets[t.Name].Address, t.Protocol.ToLabel() }, Result: probes.Targets[t.Name]))
            .ToList();
        _targetSuccess.Replace(results.Select(r => (r.Labels, r.Result.Success ? 1.0 : 0.0)));
        _targetDuration.Replace(results.Select(r => (r.Labels, r.Result.Duration.TotalSeconds)));
        _targetReason.Replace(results.Where(r => !r.Result.Success).Select(r => ((string[])[.. r.Labels, r.Result.Reason.ToLabel()], 1.0)));
        _targetsPerHost.Replace(results
            .Where(r => r.Labels[1].Length > 0)
            .GroupBy(r => r.Labels[1], StringComparer.Ordinal)
            .Select(g => (new[] { g.Key }, (double)g.Count())));
    }

    private static string[] Labels(string[] portLabels, ProbeResult result) => [.. portLabels, result.Vantage, result.Address];
}
