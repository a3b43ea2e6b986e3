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

/// <summary>What the timeline costs at its bounds: every auto-watched port (auto_watch.max_ports) with history.max_events changes.</summary>
public sealed class TimelineMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void A_full_timeline_costs_one_event_object_and_its_text_per_change()
    {
        const int ports = ConfigDefaults.AutoWatchMaxPorts;
        var limits = HistorySettings.Default;
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        const string rule = "iifname \"eth0\" ip saddr != 10.0.0.0/8 tcp dport 8080 counter drop";
        var summaryChars = 0L;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var timeline = System.Collections.Immutable.ImmutableDictionary.CreateBuilder<Core.PortKey, PortHistory>();
        for (var p = 0; p < ports; p++)
        {
            var events = new List<TimelineEvent>(limits.MaxEvents);
            for (var e = 0; e < limits.MaxEvents; e++)
            {
                var summary = $"outside accept -> drop (rule `{rule}` added); ruleset generation {e} -> {e + 1}";
                summaryChars += summary.Length;
                events.Add(new TimelineEvent(at.AddSeconds(e), EvidenceKind.Firewall, summary));
            }

            timeline[new Core.PortKey(10_000 + p, TransportProtocol.Tcp)] =
                PortHistory.Start("svc", new PortFacts("ok"), at) with { Events = [.. events] };
        }

        var full = timeline.ToImmutable();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        var perEvent = (double)bytes / (ports * limits.MaxEvents);
        output.WriteLine($"{ports} ports x {limits.MaxEvents} events: {bytes / 1024.0 / 1024.0:0.0} MiB allocated, {perEvent:0} bytes per event ({summaryChars / (ports * limits.MaxEvents)} characters of text each)");

        Assert.Equal(ports * limits.MaxEvents, full.Values.Sum(h => h.Events.Count));
        // An event is its text (2 bytes a character) plus fixed overhead (the record, a list node, the builder's copy).
        var textBytes = 2.0 * summaryChars / (ports * limits.MaxEvents);
        Assert.InRange(perEvent, textBytes, textBytes + 400);
    }
}
