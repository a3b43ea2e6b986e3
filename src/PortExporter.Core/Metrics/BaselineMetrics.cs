using PortExporter.Core.Baseline;
using PortExporter.Core.Collection;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// Writes the drift from the baseline (<c>--baseline.file</c>): <c>port_baseline_drift</c> 1 per drifted port and
/// kind, <c>port_host_baseline_ruleset_drift</c> per backend whose ruleset changed, whether the last load worked and
/// when, and the file's age. With no baseline loaded the drift series disappear (unknown, not "no drift"); with no
/// baseline configured none of these metrics exist. Called once per collection; thread-safe.
/// </summary>
public sealed class BaselineMetrics : IMetricsWriter
{
    private readonly BaselineSource _source;
    private readonly SeriesSet? _drift;
    private readonly SeriesSet? _rulesets;
    private readonly Gauge? _success;
    private readonly Gauge? _loadedAt;
    private readonly Gauge? _writtenAt;

    public BaselineMetrics(IMetricFactory factory, BaselineSource source)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        if (source.File is null)
        {
            return; // no baseline configured: not a series, not even a HELP line
        }

        _drift = new SeriesSet(
            factory,
            "port_baseline_drift",
            "1 when the watched port differs from the baseline file in this kind: listener, bind, process, verdict, selinux, path, intent, new_port, gone_port. Absent when it does not, or when no baseline is loaded (see port_baseline_load_success).",
            PortLabels.With("kind"));
        _rulesets = new SeriesSet(
            factory,
            "port_host_baseline_ruleset_drift",
            "1 when the backend's ruleset fingerprint differs from the baseline file's (a rule added, removed or changed anywhere, not only for a watched port).",
            "backend");
        _success = factory.CreateGauge("port_baseline_load_success", "1 when the last load of the baseline file (at start or reload) succeeded; 0 when it failed: drift is then unknown.");
        _loadedAt = factory.CreateGauge("port_baseline_load_timestamp_seconds", "When the baseline file was last loaded successfully, as a Unix time.");
        _writtenAt = factory.CreateGauge("port_baseline_file_timestamp_seconds", "Modification time of the baseline file in force, as a Unix time: time() minus this is the baseline's age.");
    }

    public void Write(EvidenceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_source.File is null)
        {
            return;
        }

        var load = _source.Current;
        _success!.Set(load?.Baseline is null ? 0 : 1);
        if (load is { Baseline: not null } good)
        {
            _loadedAt!.Set(good.LoadedAt.ToUnixTimeMilliseconds() / 1000.0);
            _writtenAt!.Set(good.FileWrittenAt?.ToUnixTimeMilliseconds() / 1000.0 ?? 0);
        }

        var drift = _source.Drift(snapshot) ?? [];
        _drift!.Replace(drift
            .Where(d => d.Port is not null)
            .Select(d => (Labels(d), 1.0))
            .DistinctBy(s => string.Join('\0', s.Item1)));
        _rulesets!.Replace(drift.Where(d => d.Kind == DriftKind.Ruleset).Select(d => (new[] { d.Service }, 1.0)));
    }

    private static string[] Labels(DriftItem item)
    {
        var port = item.Port!.Value;
        return [item.Service, port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), port.Protocol.ToLabel(), item.Kind.ToLabel()];
    }
}
