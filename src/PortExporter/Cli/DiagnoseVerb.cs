using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core.Baseline;
using PortExporter.Core.Diagnosis;
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

        var state = await SingleCollection.RunAsync(settings, config, cancellationToken).ConfigureAwait(false);
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
}
