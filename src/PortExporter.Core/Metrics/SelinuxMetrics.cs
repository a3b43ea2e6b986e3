using PortExporter.Core.Collection;
using PortExporter.Core.Selinux;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// Writes the SELinux evidence (hypothesis D). Host gauges use node_exporter's mode encoding (1 enforcing,
/// 0 permissive, -1 disabled). Per-port series exist only while SELinux is enabled and the port is watched; the
/// denial counters follow the collector's running totals (they never go down, whatever happens to the log file).
/// Missing evidence (the collector failed) removes the gauges and leaves the counters as they were.
/// Thread-safe for one writer call at a time.
/// </summary>
public sealed class SelinuxMetrics : IMetricsWriter
{
    private readonly Lock _gate = new();
    private readonly Gauge _enabled;
    private readonly Gauge _currentMode;
    private readonly Gauge _configMode;
    private readonly Gauge _auditLogReadable;
    private readonly SeriesSet _portType;
    private readonly SeriesSet _labelOk;
    private readonly SeriesSet _lastDenial;
    private readonly SeriesSet _allowed;
    private readonly Counter _denials;
    private readonly Counter _malformed;
    private HashSet<string> _denialSeries = new(StringComparer.Ordinal);

    public SelinuxMetrics(IMetricFactory factory)
    {
        _enabled = HostGauge(factory, "port_host_selinux_enabled", "1 when SELinux is enabled (selinuxfs mounted, a policy loaded), 0 when not.");
        _currentMode = HostGauge(factory, "port_host_selinux_current_mode", "SELinux mode the kernel runs now: 1 enforcing, 0 permissive, -1 disabled.");
        _configMode = HostGauge(factory, "port_host_selinux_config_mode", "SELinux mode /etc/selinux/config asks for at boot: 1 enforcing, 0 permissive, -1 disabled. Absent without the file.");
        _auditLogReadable = HostGauge(factory, "port_selinux_audit_log_readable", "1 when the audit log could be read (denials are known), 0 when it is missing or unreadable. Only while SELinux is enabled.");
        _portType = new SeriesSet(factory, "port_selinux_port_type_info", "The SELinux port type the policy gives the watched port and protocol (semanage port -l). Absent when not known.", PortLabels.With("type"));
        _labelOk = new SeriesSet(factory, "port_selinux_label_ok", "1 when the port's SELinux type is the configured selinux_type, 0 when it is another or none. Only for ports with selinux_type whose type is known.", PortLabels.Names);
        _lastDenial = new SeriesSet(factory, "port_selinux_last_denial_timestamp_seconds", "Unix time of the newest AVC denial (name_bind, name_connect, node_bind) seen for the port.", PortLabels.Names);
        _allowed = new SeriesSet(factory, "port_selinux_allowed", "0 when SELinux enforces and the port's label is wrong or an enforced denial was seen since the service started, else 1.", PortLabels.Names);
        _denials = factory.CreateCounter(
            "port_selinux_denials_total",
            "AVC denials of a port permission (name_bind, name_connect, node_bind) for the port seen in the audit log since the exporter started.",
            PortLabels.With("permission"));
        _malformed = factory.CreateCounter(
            "port_selinux_audit_malformed_records_total",
            "Audit log lines skipped because they were not valid audit records or AVC records.");
    }

    public void Write(EvidenceSnapshot snapshot)
    {
        lock (_gate)
        {
            var selinux = snapshot.Selinux;
            if (selinux is null)
            {
                foreach (var gauge in new[] { _enabled, _currentMode, _configMode, _auditLogReadable })
                {
                    Show(gauge, null);
                }

                foreach (var set in new[] { _portType, _labelOk, _lastDenial, _allowed })
                {
                    set.Replace([]);
                }

                return;
            }

            Show(_enabled, selinux.Enabled ? 1 : 0);
            Show(_currentMode, (int)selinux.CurrentMode);
            Show(_configMode, selinux.ConfigMode is { } configMode ? (int)configMode : null);
            Show(_auditLogReadable, selinux.AuditLog is { } log ? (log.State == AuditLogState.Read ? 1 : 0) : null);
            if (selinux.AuditLog is { } audit)
            {
                _malformed.IncTo(audit.MalformedRecords);
            }

            var types = new List<(string[], double)>();
            var labelOk = new List<(string[], double)>();
            var lastDenial = new List<(string[], double)>();
            var allowed = new List<(string[], double)>();
            var denialSeries = new HashSet<string>(StringComparer.Ordinal);
            foreach (var port in snapshot.Ports)
            {
                if (!selinux.Ports.TryGetValue(port.Key, out var result))
                {
                    continue;
                }

                if (result.PortType is { } type)
                {
                    types.Add((PortLabels.Of(port, type), 1));
                }

                if (result.LabelOk is { } ok)
                {
                    labelOk.Add((PortLabels.Of(port), ok ? 1 : 0));
                }

                if (result.LastDenialAt is { } at)
                {
                    lastDenial.Add((PortLabels.Of(port), at.ToUnixTimeMilliseconds() / 1000.0));
                }

                allowed.Add((PortLabels.Of(port), result.Allowed ? 1 : 0));
                foreach (var (permission, count) in result.DenialsByPermission)
                {
                    var labels = PortLabels.Of(port, permission);
                    _denials.WithLabels(labels).IncTo(count);
                    denialSeries.Add(Key(labels));
                }
            }

            _portType.Replace(types);
            _labelOk.Replace(labelOk);
            _lastDenial.Replace(lastDenial);
            _allowed.Replace(allowed);
            RemoveStaleCounters(denialSeries);
        }
    }

    /// <summary>An unlabelled gauge that is exported only once set (prometheus-net would otherwise show 0).</summary>
    private static Gauge HostGauge(IMetricFactory factory, string name, string help) =>
        factory.CreateGauge(name, help, new GaugeConfiguration { SuppressInitialValue = true });

    private static void Show(Gauge gauge, double? value)
    {
        if (value is { } v)
        {
            gauge.Set(v);
            gauge.Publish();
        }
        else
        {
            gauge.Unpublish();
        }
    }

    private void RemoveStaleCounters(HashSet<string> current)
    {
        foreach (var stale in _denialSeries.Where(k => !current.Contains(k)))
        {
            _denials.RemoveLabelled(stale.Split('\u001f'));
        }

        _denialSeries = current;
    }

    private static string Key(string[] labels) => string.Join('\u001f', labels);
}
