using System.Collections.Immutable;
using PortExporter.Core.Configuration;
using PortExporter.Core.Timeline;
using PortExporter.Firewall;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// Writes the timeline's series: <c>port_evidence_last_change_timestamp_seconds{evidence}</c> per port and kind that
/// changed since the exporter started, <c>port_diagnosis_since_timestamp_seconds</c> per port, and
/// <c>port_diagnosis_last_change_timestamp_seconds{evidence,change}</c> for each not-ok port with a change before its
/// failure (at most one series per port: the newest such change, its text clipped). Called once per collection.
/// </summary>
public sealed class TimelineMetrics(IMetricFactory factory)
{
    /// <summary>The longest <c>change</c> label value, marker included.</summary>
    public const int MaxChangeLabelChars = 200;

    private readonly SeriesSet _lastChange = new(
        factory,
        "port_evidence_last_change_timestamp_seconds",
        $"When the watched port's evidence of this kind last changed, as a Unix time ({string.Join(", ", EvidenceKindNames.All.Select(k => k.ToLabel()))}); absent until it changes while the exporter runs.",
        PortLabels.With("evidence"));

    private readonly SeriesSet _since = new(
        factory,
        "port_diagnosis_since_timestamp_seconds",
        "Since when the watched port's diagnosis (port_diagnosis) is what it is, as a Unix time; the exporter's first look at the port when it has not changed since.",
        PortLabels.Names);

    private readonly SeriesSet _beforeFailure = new(
        factory,
        "port_diagnosis_last_change_timestamp_seconds",
        "For a watched port that is not ok: the last evidence change before its diagnosis turned not-ok (the change label, its text), as a Unix time. Absent while ok, and when no change was seen before the failure.",
        PortLabels.With("evidence", "change"));

    public void Write(ImmutableDictionary<PortKey, PortHistory> timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var ports = timeline.OrderBy(p => p.Key.Port).ThenBy(p => p.Key.Protocol).ToList();
        _lastChange.Replace(ports.SelectMany(p => p.Value.LastChange.Select(c => (Labels(p.Key, p.Value, c.Key.ToLabel()), Seconds(c.Value)))));
        _since.Replace(ports.Select(p => (Labels(p.Key, p.Value), Seconds(p.Value.CauseSince))));
        _beforeFailure.Replace(ports
            .Select(p => (p.Key, p.Value, Last: p.Value.BeforeFailure(ConfigDefaults.HistoryFailureWindow) is [var last, ..] ? last : null))
            .Where(p => p.Last is not null)
            .Select(p => (Labels(p.Key, p.Value, p.Last!.Kind.ToLabel(), Clipping.Clip(p.Last.Summary, MaxChangeLabelChars)), Seconds(p.Last.At))));
    }

    private static string[] Labels(PortKey key, PortHistory history, params string[] more) =>
        [history.Service, key.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), key.Protocol.ToLabel(), .. more];

    private static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;
}
