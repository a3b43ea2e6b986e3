using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Baseline;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Probes;
using PortExporter.Hosting;
using Prometheus;

namespace PortExporter.Web;

/// <summary>The HTTP surface: landing page, metrics, health, readiness, reload and diagnosis.</summary>
public static partial class ExporterEndpoints
{
    private const string ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds";

    public static WebApplication MapExporterEndpoints(this WebApplication app, ExporterSettings settings)
    {
        var diagnoseHere = settings.DiagnoseListenAddress is null;

        // The landing page never collects: it shows the latest collection, if any (and only where /diagnose is served too).
        app.MapGet("/", (EvidenceService evidence, BaselineSource baseline) => Results.Content(
            HtmlReport.Landing(diagnoseHere ? evidence.Latest?.Report(baseline) : null, settings.TelemetryPath, diagnoseHere),
            "text/html; charset=utf-8"));

        app.MapGet(settings.TelemetryPath, async (HttpContext http, EvidenceService evidence) =>
        {
            var budget = ScrapeBudget.From(http.Request.Headers[ScrapeTimeoutHeader].FirstOrDefault());
            await evidence.CollectAsync(budget, http.RequestAborted).ConfigureAwait(false);
            var openMetrics = http.Request.Headers.Accept.Any(a => a is not null && a.Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase));
            http.Response.ContentType = openMetrics
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
            await evidence.ExportAsync(http.Response.Body, openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, http.RequestAborted).ConfigureAwait(false);
        });

        app.MapGet(DiagnoseListener.Path, async (HttpContext http, EvidenceService evidence, BaselineSource baseline) =>
        {
            var budget = ScrapeBudget.From(http.Request.Headers[ScrapeTimeoutHeader].FirstOrDefault());
            var report = (await evidence.CollectAsync(budget, http.RequestAborted).ConfigureAwait(false)).Report(baseline);
            var wantsJson = http.Request.Query["format"] == "json"
                || http.Request.Headers.Accept.Any(a => a is not null && a.Contains("application/json", StringComparison.OrdinalIgnoreCase));
            return wantsJson
                ? Results.Content(JsonSerializer.Serialize(report, DiagnosisJsonContext.Default.DiagnosisReport), "application/json; charset=utf-8")
                : Results.Content(HtmlReport.Diagnose(report), "text/html; charset=utf-8");
        });

        app.MapGet("/probe", async (HttpContext http, ProbeRequestHandler probes, ProbeRateLimiter limiter, ConfigHolder config) =>
        {
            var current = config.Current;
            if (!limiter.TryAcquire(http.Connection.RemoteIpAddress, current.Probes.ClientRateLimit, out var retryAfter))
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Results.Text("too many /probe requests from this client (probes.client_rate_limit)\n", statusCode: StatusCodes.Status429TooManyRequests);
            }

            var query = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, values) in http.Request.Query)
            {
                if (values.Count != 1)
                {
                    return Results.Text("each query parameter may be given once\n", statusCode: StatusCodes.Status400BadRequest);
                }

                query[key] = values[0];
            }

            var timeout = ProbeRequestHandler.ParseScrapeTimeout(http.Request.Headers[ScrapeTimeoutHeader].FirstOrDefault());
            var response = await probes.HandleAsync(query, timeout, current, http.RequestAborted).ConfigureAwait(false);
            return Results.Text(response.Body, response.ContentType, statusCode: response.StatusCode);
        });

        app.MapGet("/-/healthy", () => Results.Text("Healthy\n"));
        app.MapGet("/-/ready", () => Results.Text("Ready\n"));
        app.MapPost("/-/reload", (HttpContext http, ReloadCoordinator reload, ILoggerFactory logs) => Reload(http, reload, settings.EnableLifecycle, logs.CreateLogger(typeof(ExporterEndpoints))));
        return app;
    }

    /// <summary>
    /// <c>POST /-/reload</c>, as Prometheus answers it: 403 "Lifecycle API is not enabled." without
    /// <c>--web.enable-lifecycle</c>; 403 to a request a cross-site page could have sent (<see cref="LifecycleRequest"/>);
    /// else reloads and answers 200, or 500 "failed to reload config" and nothing more (the reason, which may quote
    /// a value from the file, goes to the log only).
    /// </summary>
    private static IResult Reload(HttpContext http, ReloadCoordinator reload, bool enabled, ILogger logger)
    {
        if (!enabled)
        {
            return Results.Text("Lifecycle API is not enabled.\n", statusCode: StatusCodes.Status403Forbidden);
        }

        if (LifecycleRequest.Refusal(http.Request) is { } refusal)
        {
            LogReloadRefused(logger, refusal);
            return Results.Text("cross-origin request refused\n", statusCode: StatusCodes.Status403Forbidden);
        }

        return reload.Reload()
            ? Results.Text("config reloaded\n")
            : Results.Text("failed to reload config\n", statusCode: StatusCodes.Status500InternalServerError);
    }

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "POST /-/reload refused: {Refusal}")]
    private static partial void LogReloadRefused(ILogger logger, string refusal);
}
