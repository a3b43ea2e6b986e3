using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Baseline;
using PortExporter.Core.Configuration;
using PortExporter.Hosting;
using PortExporter.Logging;
using PortExporter.Web;
using PortExporter.Web.Security;

namespace PortExporter.Cli;

/// <summary><c>port-exporter</c>: serve /metrics, /diagnose and the landing page.</summary>
public static class ServeVerb
{
    public static async Task<int> RunAsync(ExporterSettings settings, CancellationToken cancellationToken)
    {
        var config = CommonOptions.LoadConfig(settings, Console.Error);
        if (config is null)
        {
            return ExitCodes.Usage;
        }

        if (!WebSecurity.Check(settings.WebConfigFile, Console.Error))
        {
            return ExitCodes.Usage;
        }

        var app = Build(settings, config);
        app.Services.GetRequiredService<ReloadCoordinator>().ListenForSighup();
        app.Services.GetRequiredService<BaselineSource>().Load(); // a bad file is logged and exported, never fatal
        app.Services.GetRequiredService<Core.Timeline.TimelineStateFile>().LoadInto(
            app.Services.GetRequiredService<Core.Timeline.EvidenceTimeline>(), config.History, TimeProvider.System.GetUtcNow()); // a bad file is logged and ignored
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PortExporter");
        var listenText = settings.ListenAddress.ToString();
        Capabilities.Report(logger);
        ServeLog.Listening(logger, listenText, settings.TelemetryPath, config.SourcePath ?? "(none: watching every listener)");
        if (settings.DiagnoseListenAddress is { } diagnose)
        {
            ServeLog.DiagnoseListening(logger, diagnose);
        }

        try
        {
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            ServeLog.CannotListen(logger, listenText, e.Message);
            return ExitCodes.Unhealthy;
        }

        return ExitCodes.Ok;
    }

    /// <summary>The web application, ready to run (tests use it too).</summary>
    public static WebApplication Build(ExporterSettings settings, ExporterConfig config)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.AddExporterLogging(settings.LogLevel, settings.LogFormat);
        builder.AddWebSecurity(settings.WebConfigFile);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            WebLimits.Apply(kestrel, settings.MaxConnections);
            DiagnoseListener.Kestrel(kestrel, settings.ListenAddress);
            if (settings.DiagnoseListenAddress is { } diagnose)
            {
                DiagnoseListener.Listen(kestrel, diagnose);
            }
        });
        builder.Services.AddPortExporter(settings, config);
        builder.Services.AddProbeSchedule();
        builder.Services.AddSingleton<ProbeRateLimiter>();
        var app = builder.Build();
        _ = app.Services.GetRequiredService<ProbeRateLimiter>(); // its counter is exported from the start, not from the first /probe
        app.UseWebSecurity();
        app.UseDiagnoseListener(settings);
        app.MapExporterEndpoints(settings);
        return app;
    }
}
