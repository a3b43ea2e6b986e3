using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core.Baseline;
using PortExporter.Core.Configuration;
using PortExporter.Hosting;

namespace PortExporter.Cli;

/// <summary>
/// <c>port-exporter baseline</c>: collect once and write the host's reachable surface as YAML (to stdout or
/// <c>--output FILE</c>), or with <c>--check FILE</c> compare the live host with a baseline: exit 0 when it is the
/// same, 1 on drift (one line per change), 2 on bad usage, bad config or a bad baseline file (file:line: what was
/// expected).
/// </summary>
public static class BaselineVerb
{
    public static async Task<int> RunAsync(ExporterSettings settings, string? output, string? check, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (output is not null && check is not null)
        {
            await stderr.WriteLineAsync("baseline: --output and --check exclude each other").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var config = CommonOptions.LoadConfig(settings, stderr);
        if (config is null)
        {
            return ExitCodes.Usage;
        }

        // Read the file before collecting: a bad file is a usage error, not worth a collection.
        var host = HostName.Read(settings.Paths);
        SurfaceBaseline? expected = null;
        string? checkFile = null;
        if (check is not null)
        {
            var source = new BaselineSource(check, settings.Paths, TimeProvider.System, NullLogger<BaselineSource>.Instance);
            if (source.Load() is { } error)
            {
                await stderr.WriteLineAsync($"invalid baseline: {error}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            expected = source.Current!.Baseline!;
            host = source.Current.Host;
            checkFile = check;
        }

        var state = await SingleCollection.RunAsync(settings, config, cancellationToken).ConfigureAwait(false);
        foreach (var failed in state.Evidence.Collectors.Where(c => !c.Value.Success))
        {
            await stderr.WriteLineAsync($"warning: collector {failed.Key} failed ({failed.Value.Error}): its evidence reads '{BaselineFormat.Unknown}'").ConfigureAwait(false);
        }

        var live = BaselineBuilder.Build(state.Evidence, host);
        if (expected is not null)
        {
            return await CheckAsync(checkFile!, expected, live, stdout).ConfigureAwait(false);
        }

        var text = BaselineWriter.Write(live);
        if (output is null)
        {
            await stdout.WriteAsync(text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        try
        {
            // Whole or not at all: a reader never sees half a file.
            var temporary = output + ".tmp";
            await File.WriteAllTextAsync(temporary, text, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, output, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"--output {output}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> CheckAsync(string file, SurfaceBaseline expected, SurfaceBaseline live, TextWriter stdout)
    {
        var drift = BaselineComparer.Compare(expected, live);
        if (drift.Count == 0)
        {
            await stdout.WriteLineAsync($"{file}: no drift ({live.Ports.Count} ports)").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        foreach (var item in drift)
        {
            await stdout.WriteLineAsync(BaselineText.Line(DriftReport.From(item))).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync($"{file}: {drift.Count} drift item(s)").ConfigureAwait(false);
        return ExitCodes.Unhealthy;
    }
}
