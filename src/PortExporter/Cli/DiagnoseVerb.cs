using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core.Baseline;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Timeline;
using PortExporter.Hosting;
using PortExporter.Logging;

namespace PortExporter.Cli;

/// <summary><c>port-exporter diagnose</c>: collect once, print the diagnosis, exit 0 when every watched port is ok, 1 when not.</summary>
public static class DiagnoseVerb
{
    public static async Task<int> RunAsync(ExporterSettings settings, int? port, string output, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var config = CommonOptions.LoadConfig(settings, stderr);
        if (config is null)
        {
            return ExitCodes.Usage;
        }

        // The collection itself keeps no state file: with --storage.path the serving exporter's is read, never written.
        var state = await SingleCollection.RunAsync(settings with { StoragePath = null }, config, cancellationToken).ConfigureAwait(false);
        if (settings.StoragePath is { } storage)
        {
            state = WithStoredTimeline(state, storage, settings);
        }

        var baseline = new BaselineSource(settings.BaselineFile, settings.Paths, TimeProvider.System, NullLogger<BaselineSource>.Instance);
        baseline.Load();
        var report = state.Report(baseline);
        if (port is { } only)
        {
            report = report with { Ports = [.. report.Ports.Where(p => p.Port == only)] };
            if (report.Ports.Count == 0)
            {
                await stderr.WriteLineAsync($"--port {only}: not a watched port").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            report = report with { Healthy = report.Ports.All(p => p.Cause == "ok") };
        }

        await stdout.WriteAsync(output == "json"
            ? JsonSerializer.Serialize(report, DiagnosisJsonContext.Default.DiagnosisReport) + Environment.NewLine
            : TextReport.Render(report)).ConfigureAwait(false);
        return report.Healthy ? ExitCodes.Ok : ExitCodes.Unhealthy;
    }

    /// <summary>
    /// The timeline of a serving exporter's state file (<c>timeline.json</c> in <paramref name="storage"/>, read only)
    /// with this collection added in memory: "what changed before it broke" then reaches back past this run. A missing
    /// or unreadable file is an empty timeline, with a log line for the latter.
    /// </summary>
    private static CollectedState WithStoredTimeline(CollectedState state, string storage, ExporterSettings settings)
    {
        using var logging = LoggerFactory.Create(l => l.AddExporterLogging(settings.LogLevel > LogLevel.Warning ? settings.LogLevel : LogLevel.Warning, settings.LogFormat));
        var timeline = new EvidenceTimeline();
        new TimelineStateFile(storage, logging.CreateLogger<TimelineStateFile>()).LoadInto(timeline, state.Evidence.Config.History, state.Evidence.TakenAt);
        return state with { Timeline = timeline.Record(state.Evidence, state.Diagnoses) };
    }
}
