using System.Text;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Baseline;

/// <summary>What the last load of the baseline file gave.</summary>
/// <param name="Baseline">The baseline, or null when the load failed (drift unknown).</param>
/// <param name="Error">Why the load failed, or null.</param>
/// <param name="Host">The live host name the file was checked against.</param>
/// <param name="LoadedAt">When the load was tried.</param>
/// <param name="FileWrittenAt">The file's modification time when it was loaded, or null when it could not be read.</param>
public sealed record BaselineLoad(SurfaceBaseline? Baseline, string? Error, string Host, DateTimeOffset LoadedAt, DateTimeOffset? FileWrittenAt);

/// <summary>
/// The serving exporter's baseline (<c>--baseline.file</c>): loaded at start and again on every reload. A file that
/// cannot be read or is invalid never stops the exporter: the load fails (logged, <c>port_baseline_load_success</c>
/// 0) and drift is unknown until a reload loads a good one; a failed reload also drops the previous baseline, since
/// the file on disk is no longer what it described. Thread-safe: readers see one load or the next.
/// </summary>
public sealed partial class BaselineSource
{
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile BaselineLoad? _current;

    /// <param name="file">The baseline file, or null when none is configured (then every answer is "no baseline").</param>
    public BaselineSource(string? file, HostPaths paths, TimeProvider time, ILogger<BaselineSource> logger)
    {
        File = file;
        _paths = paths;
        _time = time;
        _logger = logger;
    }

    /// <summary>The file, or null when no baseline is configured.</summary>
    public string? File { get; }

    /// <summary>The last load, or null before the first (or with no file configured).</summary>
    public BaselineLoad? Current => _current;

    /// <summary>Reads and checks the file; returns null on success (or with no file configured), else the error.</summary>
    public string? Load()
    {
        if (File is null)
        {
            return null;
        }

        lock (_gate)
        {
            var host = HostName.Read(_paths);
            var now = _time.GetUtcNow();
            try
            {
                var info = new FileInfo(File);
                if (info.Exists && info.Length > BaselineFormat.MaxFileBytes)
                {
                    throw new ConfigException(File, $"larger than {BaselineFormat.MaxFileBytes} bytes: not a baseline file");
                }

                var text = System.IO.File.ReadAllText(File, Encoding.UTF8);
                var baseline = BaselineParser.Parse(text, File, host);
                _current = new BaselineLoad(baseline, null, host, now, info.LastWriteTimeUtc);
                LogLoaded(_logger, File, baseline.Ports.Count);
                return null;
            }
            catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
            {
                var error = e is ConfigException ? e.Message : $"{File}: cannot read: {e.Message}";
                _current = new BaselineLoad(null, error, host, now, null);
                LogLoadFailed(_logger, error);
                return error;
            }
        }
    }

    /// <summary>What differs between the baseline and <paramref name="evidence"/>; null when no baseline is loaded (unknown).</summary>
    public IReadOnlyList<DriftItem>? Drift(EvidenceSnapshot evidence) =>
        _current is { Baseline: { } baseline, Host: var host } ? BaselineComparer.Compare(baseline, BaselineBuilder.Build(evidence, host)) : null;

    /// <summary>The baseline part of the diagnosis report; null when no baseline is configured.</summary>
    public BaselineReport? Report(EvidenceSnapshot evidence)
    {
        if (File is null)
        {
            return null;
        }

        var load = _current;
        var drift = Drift(evidence);
        return new BaselineReport(File, load?.Baseline is not null, load?.Error ?? (load is null ? "not loaded yet" : null), drift?.Select(DriftReport.From).ToList());
    }

    [LoggerMessage(EventId = 950, Level = LogLevel.Information, Message = "baseline loaded from {File}: {Ports} ports")]
    private static partial void LogLoaded(ILogger logger, string file, int ports);

    [LoggerMessage(EventId = 951, Level = LogLevel.Error, Message = "baseline not loaded, drift unknown: {Error}")]
    private static partial void LogLoadFailed(ILogger logger, string error);
}
