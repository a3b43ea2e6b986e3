using System.Collections.Immutable;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Timeline;

/// <summary>
/// One watched port's timeline: its events (oldest first, within <see cref="HistorySettings"/>), when each kind of
/// evidence last changed, since when the diagnosis is what it is and when it turned not-ok. Immutable: each
/// collection makes the next one (<see cref="Next"/>).
/// </summary>
/// <param name="Service">The <c>service</c> label.</param>
/// <param name="Facts">The last known facts (missing parts carried from earlier collections).</param>
/// <param name="Events">The events kept, oldest first.</param>
/// <param name="LastChange">When each kind of evidence last changed (kinds that never did are absent).</param>
/// <param name="CauseSince">When the diagnosis became what it is (the first collection, when it never changed).</param>
/// <param name="BrokeAt">When the diagnosis last turned from ok to a cause; null while ok, or when it was not ok at the first look.</param>
/// <param name="FirstSeen">The first collection of the port.</param>
public sealed record PortHistory(
    string Service,
    PortFacts Facts,
    ImmutableList<TimelineEvent> Events,
    ImmutableDictionary<EvidenceKind, DateTimeOffset> LastChange,
    DateTimeOffset CauseSince,
    DateTimeOffset? BrokeAt,
    DateTimeOffset FirstSeen)
{
    /// <summary>The history of a port seen for the first time at <paramref name="at"/>: no events.</summary>
    public static PortHistory Start(string service, PortFacts facts, DateTimeOffset at) =>
        new(service, facts, [], ImmutableDictionary<EvidenceKind, DateTimeOffset>.Empty, at, null, at);

    /// <summary>True when the cause names a failure (not ok, not unknown).</summary>
    public static bool IsBroken(string? cause) => cause is not null and not "ok" and not "unknown";

    /// <summary>The history after a collection at <paramref name="at"/> that found <paramref name="facts"/> (already carried) and <paramref name="events"/>.</summary>
    public PortHistory Next(string service, PortFacts facts, IReadOnlyList<TimelineEvent> events, DateTimeOffset at, HistorySettings limits)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(limits);
        var lastChange = LastChange;
        foreach (var e in events)
        {
            lastChange = lastChange.SetItem(e.Kind, e.At);
        }

        var causeChanged = facts.Cause != Facts.Cause;
        var brokeAt = !causeChanged ? BrokeAt
            : facts.Cause == "ok" ? null
            : IsBroken(facts.Cause) && !IsBroken(Facts.Cause) && BrokeAt is null ? at
            : BrokeAt;
        return this with
        {
            Service = service,
            Facts = facts,
            Events = Bound(Events.AddRange(events), at, limits),
            LastChange = lastChange,
            CauseSince = causeChanged ? at : CauseSince,
            BrokeAt = brokeAt,
        };
    }

    /// <summary>The events <paramref name="events"/> within the limits at <paramref name="now"/>: none older than max_age, the newest max_events.</summary>
    public static ImmutableList<TimelineEvent> Bound(ImmutableList<TimelineEvent> events, DateTimeOffset now, HistorySettings limits)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(limits);
        var oldest = now - limits.MaxAge;
        var expired = events.FindIndex(e => e.At >= oldest);
        var kept = expired < 0 ? [] : expired == 0 ? events : events.RemoveRange(0, expired);
        return kept.Count > limits.MaxEvents ? kept.RemoveRange(0, kept.Count - limits.MaxEvents) : kept;
    }

    /// <summary>
    /// "What changed before it broke": the events within <paramref name="window"/> before the diagnosis turned not-ok
    /// and after it last turned ok (the changes of that recovery and older ones cannot have broken it; the diagnosis
    /// change itself is left out), newest first; empty while ok or when it was not ok at the first look.
    /// </summary>
    public IReadOnlyList<TimelineEvent> BeforeFailure(TimeSpan window)
    {
        if (BrokeAt is not { } broke || !IsBroken(Facts.Cause))
        {
            return [];
        }

        var from = broke - window;
        if (Events.LastOrDefault(e => e.At < broke && EvidenceComparers.TurnedOk(e)) is { } recovered && recovered.At >= from)
        {
            from = recovered.At + TimeSpan.FromTicks(1);
        }

        return [.. Events
            .Where(e => e.At <= broke && e.At >= from && !(e.Kind == EvidenceKind.Diagnosis && e.At == broke))
            .Reverse()];
    }
}
