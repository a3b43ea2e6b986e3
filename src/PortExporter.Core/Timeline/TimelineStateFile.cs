using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Timeline;

/// <summary>
/// The timeline's own state file, <c>timeline.json</c> in <c>--storage.path</c>, so a restart keeps what changed
/// before. The exporter writes nothing else there. Written atomically (a temporary file in the same folder, flushed,
/// then renamed over the old one) and only after a collection that changed the timeline; its size follows from the
/// timeline's bounds. A file that cannot be read, is larger than <see cref="MaxBytes"/>, is not valid JSON or of
/// another format version is logged and ignored: the timeline starts empty. Thread-safe.
/// </summary>
public sealed partial class TimelineStateFile
{
    public const string FileName = "timeline.json";
    public const int FormatVersion = 1;

    /// <summary>The largest file read back (100 events x 131,072 ports stay far below).</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    private static readonly ImmutableDictionary<string, EvidenceKind> Kinds = EvidenceKindNames.All.ToImmutableDictionary(k => k.ToLabel(), StringComparer.Ordinal);
    private readonly ILogger<TimelineStateFile> _logger;
    private readonly Lock _gate = new();
    private long _savedRevision = -1;

    /// <param name="directory">--storage.path, or null: nothing is read or written.</param>
    /// <param name="logger">Load and save failures.</param>
    public TimelineStateFile(string? directory, ILogger<TimelineStateFile> logger)
    {
        File = directory is null ? null : Path.Combine(directory, FileName);
        _logger = logger;
    }

    /// <summary>The state file, or null when no storage path is configured.</summary>
    public string? File { get; }

    /// <summary>Reads the file into <paramref name="timeline"/> (bounded by <paramref name="limits"/> at <paramref name="now"/>); a missing file is an empty timeline, a bad one is logged and ignored.</summary>
    public void LoadInto(EvidenceTimeline timeline, HistorySettings limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(limits);
        if (File is null || !System.IO.File.Exists(File))
        {
            return;
        }

        try
        {
            var length = new FileInfo(File).Length;
            if (length > MaxBytes)
            {
                throw new InvalidDataException($"{length} bytes, more than the {MaxBytes} a timeline within its bounds takes");
            }

            var restored = Parse(System.IO.File.ReadAllBytes(File), limits, now);
            timeline.Restore(restored);
            var events = restored.Values.Sum(p => p.Events.Count);
            LogLoaded(_logger, File, restored.Count, events);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            LogLoadFailed(_logger, File, e.Message);
        }
    }

    /// <summary>Writes the timeline when it changed since the last write (<see cref="EvidenceTimeline.Revision"/>); a failure is logged, never thrown.</summary>
    public void SaveIfChanged(EvidenceTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        if (File is null)
        {
            return;
        }

        lock (_gate)
        {
            var (revision, ports) = timeline.Snapshot();
            if (revision == _savedRevision)
            {
                return;
            }

            var temporary = File + ".tmp";
            try
            {
                using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    JsonSerializer.Serialize(stream, ToState(ports), TimelineStateJsonContext.Default.TimelineState);
                    stream.Flush(flushToDisk: true);
                }

                System.IO.File.Move(temporary, File, overwrite: true);
                _savedRevision = revision;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogSaveFailed(_logger, File, e.Message);
                try
                {
                    System.IO.File.Delete(temporary);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
                {
                    // Nothing more to do: the next write tries again.
                }
            }
        }
    }

    /// <summary>The timeline in a state file's bytes; throws <see cref="JsonException"/> or <see cref="InvalidDataException"/> naming what is wrong. Pure.</summary>
    public static ImmutableDictionary<PortKey, PortHistory> Parse(byte[] bytes, HistorySettings limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var state = JsonSerializer.Deserialize(bytes, TimelineStateJsonContext.Default.TimelineState)
            ?? throw new InvalidDataException("empty state file");
        if (state.FormatVersion != FormatVersion)
        {
            throw new InvalidDataException($"format_version: expected {FormatVersion}, got {state.FormatVersion}");
        }

        var ports = ImmutableDictionary.CreateBuilder<PortKey, PortHistory>();
        foreach (var (port, i) in (state.Ports ?? []).Select((p, i) => (p, i)))
        {
            var where = $"ports[{i}]";
            if (port.Port is < 1 or > 65535 || !TransportProtocolNames.TryParse(port.Protocol, out var protocol) || port.Service is null || port.Facts is null)
            {
                throw new InvalidDataException($"{where}: expected port 1-65535, protocol tcp or udp, service and facts");
            }

            var events = (port.Events ?? []).Select((e, j) => new TimelineEvent(e.At, Kind(e.Evidence, $"{where}.events[{j}].evidence"), e.Summary ?? string.Empty));
            var lastChange = (port.LastChange ?? ImmutableDictionary<string, DateTimeOffset>.Empty).ToImmutableDictionary(c => Kind(c.Key, $"{where}.last_change"), c => c.Value);
            ports[new PortKey(port.Port, protocol)] = new PortHistory(
                port.Service,
                port.Facts,
                PortHistory.Bound([.. events.OrderBy(e => e.At)], now, limits),
                lastChange,
                port.CauseSince,
                port.BrokeAt,
                port.FirstSeen);
        }

        return ports.ToImmutable();
    }

    private static EvidenceKind Kind(string? label, string where) =>
        label is not null && Kinds.TryGetValue(label, out var kind) ? kind
        : throw new InvalidDataException($"{where}: expected one of {string.Join(", ", Kinds.Keys.Order(StringComparer.Ordinal))}, got '{PortExporter.Firewall.Clipping.Clip(label ?? "null", 40)}'");

    private static TimelineState ToState(ImmutableDictionary<PortKey, PortHistory> ports) => new(
        FormatVersion,
        [.. ports.OrderBy(p => p.Key.Port).ThenBy(p => p.Key.Protocol).Select(p => new PortState(
            p.Key.Port,
            p.Key.Protocol.ToLabel(),
            p.Value.Service,
            p.Value.FirstSeen,
            p.Value.CauseSince,
            p.Value.BrokeAt,
            p.Value.LastChange.ToDictionary(c => c.Key.ToLabel(), c => c.Value, StringComparer.Ordinal),
            [.. p.Value.Events.Select(e => new EventState(e.At, e.Kind.ToLabel(), e.Summary))],
            p.Value.Facts))]);

    [LoggerMessage(EventId = 960, Level = LogLevel.Information, Message = "timeline loaded from {File}: {Ports} ports, {Events} changes")]
    private static partial void LogLoaded(ILogger logger, string file, int ports, int events);

    [LoggerMessage(EventId = 961, Level = LogLevel.Error, Message = "timeline state file {File} ignored, the timeline starts empty: {Error}")]
    private static partial void LogLoadFailed(ILogger logger, string file, string error);

    [LoggerMessage(EventId = 962, Level = LogLevel.Error, Message = "timeline state file {File} not written: {Error}")]
    private static partial void LogSaveFailed(ILogger logger, string file, string error);
}

/// <summary>The state file's document.</summary>
public sealed record TimelineState(int FormatVersion, IReadOnlyList<PortState>? Ports);

/// <summary>One port in <see cref="TimelineState"/>.</summary>
public sealed record PortState(
    int Port,
    string? Protocol,
    string? Service,
    DateTimeOffset FirstSeen,
    DateTimeOffset CauseSince,
    DateTimeOffset? BrokeAt,
    IReadOnlyDictionary<string, DateTimeOffset>? LastChange,
    IReadOnlyList<EventState>? Events,
    PortFacts? Facts);

/// <summary>One event in <see cref="PortState"/>.</summary>
public sealed record EventState(DateTimeOffset At, string? Evidence, string? Summary);

/// <summary>Source-generated JSON of the state file.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectNullableAnnotations = true, MaxDepth = 16)]
[JsonSerializable(typeof(TimelineState))]
public sealed partial class TimelineStateJsonContext : JsonSerializerContext;
