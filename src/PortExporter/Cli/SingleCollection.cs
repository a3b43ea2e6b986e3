using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Configuration;
using PortExporter.Hosting;
using PortExporter.Logging;

namespace PortExporter.Cli;

/// <summary>The one-shot verbs' path to the evidence: the exporter's own wiring, one collection, then gone.</summary>
public static class SingleCollection
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    public static async Task<CollectedState> RunAsync(ExporterSettings settings, ExporterConfig config, CancellationToken cancellationToken)
    {
        // One collection has no history: auto-watch's min_age cannot be waited for, so every listener counts now.
        config = config with { AutoWatch = config.AutoWatch with { MinAge = TimeSpan.Zero } };
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddExporterLogging(settings.LogLevel > LogLevel.Warning ? settings.LogLevel : LogLevel.Warning, settings.LogFormat));
        services.AddPortExporter(settings, config);
        await using var provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<EvidenceService>().CollectAsync(Budget, cancellationToken).ConfigureAwait(false);
    }
}
