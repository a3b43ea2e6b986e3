using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis;

namespace PortExporter.Core.Timeline;

/// <summary>A port's timeline in <see cref="PortReport"/>: since when its diagnosis holds and what changed before it broke.</summary>
/// <param name="DiagnosisSince">Since when the diagnosis is what it is (<c>port_diagnosis_since_timestamp_seconds</c>).</param>
/// <param name="BrokeAt">When the diagnosis turned not-ok; null while ok, or when it was not ok at the exporter's first look.</param>
/// <param name="FirstSeen">The exporter's first look at the port (no changes are known before it).</param>
/// <param name="BeforeFailure">"What changed before it broke": the changes in the hour before <paramref name="BrokeAt"/>, newest first.</param>
/// <param name="Recent">The newest changes of any kind, newest first (at most <see cref="RecentEvents"/>).</param>
public sealed record PortTimelineReport(
    [property: JsonPropertyName("diagnosis_since")] DateTimeOffset DiagnosisSince,
    [property: JsonPropertyName("broke_at")] DateTimeOffset? BrokeAt,
    [property: JsonPropertyName("first_seen")] DateTimeOffset FirstSeen,
    [property: JsonPropertyName("before_failure")] IReadOnlyList<ChangeReport> BeforeFailure,
    [property: JsonPropertyName("recent")] IReadOnlyList<ChangeReport> Recent)
{
    /// <summary>How many of the newest changes <see cref="Recent"/> lists.</summary>
    public const int RecentEvents = 10;

    public static PortTimelineReport From(PortHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var broke = history.BrokeAt;
        return new(
            history.CauseSince,
            broke,
            history.FirstSeen,
            [.. history.BeforeFailure(ConfigDefaults.HistoryFailureWindow).Select(e => ChangeReport.From(e, broke))],
            [.. history.Events.Reverse().Take(RecentEvents).Select(e => ChangeReport.From(e, null))]);
    }

    /// <summary><paramref name="report"/> with each port's timeline from <paramref name="timeline"/> (ports it does not know keep none).</summary>
    public static DiagnosisReport Attach(DiagnosisReport report, ImmutableDictionary<PortKey, PortHistory>? timeline)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (timeline is null)
        {
            return report;
        }

        return report with
        {
            Ports = [.. report.Ports.Select(p => TransportProtocolNames.TryParse(p.Protocol, out var protocol) && timeline.TryGetValue(new PortKey(p.Port, protocol), out var history)
                ? p with { Timeline = From(history) }
                : p)],
        };
    }
}

/// <summary>One change in <see cref="PortTimelineReport"/>.</summary>
/// <param name="At">When the collection that saw it was taken.</param>
/// <param name="Evidence">firewall, listener, process, unit, selinux, avc, probe or diagnosis.</param>
/// <param name="Summary">The change in words.</param>
/// <param name="SecondsBefore">How long before the failure it was seen (0: in the same collection); null outside "before failure".</param>
public sealed record ChangeReport(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("evidence")] string Evidence,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("seconds_before")] double? SecondsBefore)
{
    public static ChangeReport From(TimelineEvent e, DateTimeOffset? brokeAt)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.At, e.Kind.ToLabel(), e.Summary, brokeAt is { } broke ? Math.Round((broke - e.At).TotalSeconds, 3) : null);
    }

    /// <summary>"firewall changed at 2026-01-01 12:03:05Z, 40 s before: ..." for people (text and HTML reports).</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Evidence} changed at {At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z{(SecondsBefore is { } s ? $", {Offset(s)}" : string.Empty)}: {Summary}");

    /// <summary>"40 s before", "3 min before", "2 h before", "in the same collection".</summary>
    public static string Offset(double seconds) => seconds switch
    {
        < 0.5 => "in the same collection",
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(seconds):0} s before"),
        < 7200 => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(seconds / 60):0} min before"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(seconds / 3600):0} h before"),
    };
}

/// <summary>The timeline under a port in the terminal report.</summary>
public static class TimelineText
{
    /// <summary>Appends the port's "what changed before it broke"; nothing when the port is ok or <paramref name="collectedAt"/> was the first look (a one-shot run knows no history).</summary>
    public static void Append(System.Text.StringBuilder text, PortReport port, DateTimeOffset collectedAt)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(port);
        if (port.Timeline is not { } timeline || port.Cause == "ok" || timeline.FirstSeen >= collectedAt)
        {
            return;
        }

        if (timeline.BrokeAt is { } broke)
        {
            text.Append(CultureInfo.InvariantCulture, $"  what changed before it broke (not ok since {broke.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z):").AppendLine();
            foreach (var change in timeline.BeforeFailure)
            {
                text.Append("    ").AppendLine(change.Describe());
            }

            if (timeline.BeforeFailure.Count == 0)
            {
                text.AppendLine("    no evidence change seen in the hour before");
            }
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"  what changed before it broke: unknown, not ok since the first look at {timeline.FirstSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z").AppendLine();
        }
    }
}
