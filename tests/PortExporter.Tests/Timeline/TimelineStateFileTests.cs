using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core.Configuration;
using PortExporter.Core.Timeline;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Timeline;

/// <summary>The timeline's own state file: written atomically when the timeline changed, read back bounded, a bad file ignored.</summary>
public sealed class TimelineStateFileTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly PortSpec Web = new("web", 8080, TransportProtocol.Tcp);

    [Fact]
    public void A_timeline_written_and_read_back_is_the_same_and_is_written_only_when_it_changed()
    {
        using var dir = new TempDir();
        var timeline = Timeline();
        var file = new TimelineStateFile(dir.Path, NullLogger<TimelineStateFile>.Instance);
        file.SaveIfChanged(timeline);
        var written = File.GetLastWriteTimeUtc(file.File!);
        File.SetLastWriteTimeUtc(file.File!, written.AddDays(-1));
        file.SaveIfChanged(timeline);
        Assert.Equal(written.AddDays(-1), File.GetLastWriteTimeUtc(file.File!));
        Assert.Equal([TimelineStateFile.FileName], Directory.GetFiles(dir.Path).Select(Path.GetFileName));

        var restored = new EvidenceTimeline();
        new TimelineStateFile(dir.Path, NullLogger<TimelineStateFile>.Instance).LoadInto(restored, HistorySettings.Default, Start.AddMinutes(5));
        var before = timeline.Current[Web.Key];
        var after = restored.Current[Web.Key];
        Assert.Equal(before.Events, after.Events);
        Assert.Equal((before.Service, before.CauseSince, before.BrokeAt, before.FirstSeen), (after.Service, after.CauseSince, after.BrokeAt, after.FirstSeen));
        Assert.Equal(before.LastChange, after.LastChange);
        Assert.Equal(before.Facts.Listeners, after.Facts.Listeners);
        Assert.Equal(before.Facts.Owners, after.Facts.Owners);
        Assert.Equal(before.Facts.Cause, after.Facts.Cause);
    }

    [Fact]
    public void Events_read_back_are_bounded_by_the_config_in_force()
    {
        using var dir = new TempDir();
        var file = new TimelineStateFile(dir.Path, NullLogger<TimelineStateFile>.Instance);
        file.SaveIfChanged(Timeline());

        var restored = new EvidenceTimeline();
        file.LoadInto(restored, new HistorySettings(1, TimeSpan.FromDays(7)), Start.AddMinutes(5));
        Assert.Single(restored.Current[Web.Key].Events);
        file.LoadInto(restored, HistorySettings.Default, Start.AddDays(8));
        Assert.Empty(restored.Current[Web.Key].Events);
    }

    [Theory]
    [InlineData("{\"format_version\": 1, \"ports\": [", "")]
    [InlineData("{\"format_version\": 2, \"ports\": []}", "format_version: expected 1, got 2")]
    [InlineData("{\"format_version\": 1, \"ports\": [{\"port\": 70000, \"protocol\": \"tcp\", \"service\": \"web\", \"first_seen\": \"2026-01-01T00:00:00Z\", \"cause_since\": \"2026-01-01T00:00:00Z\", \"facts\": {\"cause\": \"ok\"}}]}", "ports[0]: expected port 1-65535")]
    [InlineData("{\"format_version\": 1, \"ports\": [{\"port\": 80, \"protocol\": \"tcp\", \"service\": \"web\", \"first_seen\": \"2026-01-01T00:00:00Z\", \"cause_since\": \"2026-01-01T00:00:00Z\", \"facts\": {\"cause\": \"ok\"}, \"events\": [{\"at\": \"2026-01-01T00:00:00Z\", \"evidence\": \"weather\", \"summary\": \"x\"}]}]}", "ports[0].events[0].evidence: expected one of avc, diagnosis, firewall")]
    public void A_corrupt_or_foreign_file_is_refused_naming_what_is_wrong_and_the_timeline_starts_empty(string text, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => TimelineStateFile.Parse(System.Text.Encoding.UTF8.GetBytes(text), HistorySettings.Default, Start));
        Assert.True(e is System.Text.Json.JsonException or InvalidDataException, e.GetType().Name);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);

        using var dir = new TempDir();
        dir.File(TimelineStateFile.FileName, text);
        var timeline = new EvidenceTimeline();
        new TimelineStateFile(dir.Path, NullLogger<TimelineStateFile>.Instance).LoadInto(timeline, HistorySettings.Default, Start);
        Assert.Empty(timeline.Current);
    }

    /// <summary>A port that was ok, then lost its wildcard listener to a loopback one.</summary>
    private static EvidenceTimeline Timeline()
    {
        var timeline = new EvidenceTimeline();
        var config = ExporterConfig.AutoDiscover with { Ports = [Web] };
        foreach (var (at, address) in new[] { (Start, "0.0.0.0"), (Start.AddSeconds(30), "127.0.0.1"), (Start.AddSeconds(60), "127.0.0.2") })
        {
            var sockets = new Core.Sockets.SocketEvidence([new Core.Sockets.Listener(TransportProtocol.Tcp, System.Net.IPAddress.Parse(address), 8080, 7)]);
            var snapshot = new Core.Collection.EvidenceSnapshot(at, config, config.Ports, new Dictionary<string, Core.Collection.CollectorStatus>(), sockets);
            timeline.Record(snapshot, Core.Diagnosis.Diagnoser.Diagnose(snapshot));
        }

        Assert.Equal(2, timeline.Current[Web.Key].Events.Count(e => e.Kind == EvidenceKind.Listener));
        return timeline;
    }
}
