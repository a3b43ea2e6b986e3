using System.Reflection;
using PortExporter.Core.Collection;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>The exporter's own series: per-collector success and duration, build info, config reload state.</summary>
public sealed class ExporterMetrics
{
    private readonly SeriesSet _success;
    private readonly SeriesSet _duration;
    private readonly Gauge _reloadOk;
    private readonly Gauge _reloadTime;

    public ExporterMetrics(IMetricFactory factory)
    {
        _success = new SeriesSet(factory, "port_exporter_collector_success", "1 when the collector read its evidence in the last collection, 0 when it failed (see the log).", "collector");
        _duration = new SeriesSet(factory, "port_exporter_collector_duration_seconds", "Wall time the collector took in the last collection.", "collector");
        _reloadOk = factory.CreateGauge("port_exporter_config_last_reload_successful", "1 when the last config load or reload succeeded, 0 when it failed and the previous config is still in force.");
        _reloadTime = factory.CreateGauge("port_exporter_config_last_reload_success_timestamp_seconds", "When the config was last loaded successfully, in seconds since the epoch.");
        var build = factory.CreateGauge("port_exporter_build_info", "Build information: 1, with the version and revision as labels.", ["version", "revision"]);
        var assembly = typeof(ExporterMetrics).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var version = plus >= 0 ? informational[..plus] : informational;
        var revision = plus >= 0 ? informational[(plus + 1)..] : "unknown";
        build.WithLabels(version, revision).Set(1);
    }

    public void WriteCollectors(EvidenceSnapshot snapshot)
    {
        _success.Replace(snapshot.Collectors.Select(c => (new[] { c.Key }, c.Value.Success ? 1.0 : 0.0)));
        _duration.Replace(snapshot.Collectors.Select(c => (new[] { c.Key }, c.Value.Duration.TotalSeconds)));
    }

    public void WriteReload(bool successful, DateTimeOffset lastSuccess)
    {
        _reloadOk.Set(successful ? 1 : 0);
        _reloadTime.Set(lastSuccess.ToUnixTimeMilliseconds() / 1000.0);
    }
}
