using PortExporter.Core.Configuration;
using PortExporter.Core.Timeline;

namespace PortExporter.Tests.Timeline;

/// <summary>The timeline's memory bound: at most history.max_events events per port, none older than history.max_age.</summary>
public sealed class PortHistoryBoundsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Events_are_capped_per_port_keeping_the_newest()
    {
        var limits = new HistorySettings(100, TimeSpan.FromDays(7));
        var history = Flap(PortHistory.Start("web", Facts(0), Start), 1000, TimeSpan.FromSeconds(1), limits);

        Assert.Equal(100, history.Events.Count);
        Assert.Equal(Start.AddSeconds(1000), history.Events[^1].At);
        Assert.Equal(Start.AddSeconds(901), history.Events[0].At);
        Assert.Equal(Start.AddSeconds(1000), history.LastChange[EvidenceKind.Process]);
    }

    [Fact]
    public void Events_older_than_the_maximum_age_are_dropped()
    {
        var limits = new HistorySettings(100, TimeSpan.FromHours(1));
        var history = Flap(PortHistory.Start("web", Facts(0), Start), 10, TimeSpan.FromMinutes(20), limits);

        // Ten changes 20 min apart: at 200 min only those of the last hour remain (140, 160, 180 and 200 min).
        Assert.Equal([140, 160, 180, 200], history.Events.Select(e => (int)(e.At - Start).TotalMinutes));
        Assert.All(history.Events, e => Assert.True(history.Events[^1].At - e.At <= limits.MaxAge));
    }

    [Fact]
    public void By_default_a_port_keeps_100_events_of_at_most_7_days()
    {
        Assert.Equal((100, TimeSpan.FromDays(7)), (HistorySettings.Default.MaxEvents, HistorySettings.Default.MaxAge));
        Assert.Empty(PortHistory.Bound([new TimelineEvent(Start, EvidenceKind.Probe, "x")], Start.AddDays(7).AddSeconds(1), HistorySettings.Default));
        Assert.Single(PortHistory.Bound([new TimelineEvent(Start, EvidenceKind.Probe, "x")], Start.AddDays(7), HistorySettings.Default));
    }

    [Fact]
    public void A_port_no_longer_watched_is_forgotten_and_the_config_limits_apply()
    {
        var web = new PortSpec("web", 8080, TransportProtocol.Tcp);
        var db = new PortSpec("db", 5432, TransportProtocol.Tcp);
        var config = ExporterConfig.AutoDiscover with { Ports = [web, db], History = new HistorySettings(1, TimeSpan.FromDays(1)) };
        var timeline = new EvidenceTimeline();

        Record(timeline, config, Start);
        Assert.Equal(2, timeline.Current.Count);

        var one = config with { Ports = [web] };
        var after = Record(timeline, one, Start.AddSeconds(1));
        Assert.Equal([web.Key], after.Keys);
        Assert.Same(after, timeline.Current);
    }

    private static System.Collections.Immutable.ImmutableDictionary<Core.PortKey, PortHistory> Record(EvidenceTimeline timeline, ExporterConfig config, DateTimeOffset at)
    {
        var snapshot = new Core.Collection.EvidenceSnapshot(at, config, config.Ports, new Dictionary<string, Core.Collection.CollectorStatus>());
        return timeline.Record(snapshot, Core.Diagnosis.Diagnoser.Diagnose(snapshot));
    }

    private static PortFacts Facts(int pid) => new("ok", Owners: [new OwnerFact("web", pid)]);

    private static PortHistory Flap(PortHistory history, int changes, TimeSpan every, HistorySettings limits)
    {
        for (var i = 1; i <= changes; i++)
        {
            history = EvidenceComparersTests.Step(history, Facts(i), Start + (i * every), limits);
        }

        return history;
    }
}
