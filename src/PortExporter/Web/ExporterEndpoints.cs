using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Probes;
using PortExporter.Hosting;
using Prometheus;

namespace PortExporter.Web;

/// <summary>The HTTP surface: landing page, metrics, health, readiness, reload and diagnosis.</summary>
public static class ExporterEndpoints
{
    private const string ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds";

    public static WebApplication MapExporterEndpoints(this WebApplication app, ExporterSettings settings)
    {
        app.MapGet("/", async (HttpContext http, EvidenceService evidence) =>
        {
            var state = await evidence.CollectAsync(ScrapeBudget.Default, http.RequestAborted).ConfigureAwait(false);
            return Results.Content(HtmlReport.Landing(state.Report(), settings.TelemetryPath), "text/html; charset=utf-8");
        });

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

        app.MapGet("/diagnose", async (HttpContext http, EvidenceService evidence) =>
        {
            var budget = ScrapeBudget.From(http.Request.Headers[ScrapeTimeoutHeader].FirstOrDefault());
            var report = (await evidence.CollectAsync(budget, http.RequestAborted).ConfigureAwait(false)).Report();
            var wantsJson = http.Request.Query["format"] == "json"
                || http.Request.Headers.Accept.Any(a => a is not null && a.Contains("application/json", StringComparison.OrdinalIgnoreCase));
            return wantsJson
                ? Results.Content(JsonSerializer.Serialize(report, DiagnosisJsonContext.Default.DiagnosisReport), "application/json; charset=utf-8")
                : Results.Content(HtmlReport.Diagnose(report), "text/html; charset=utf-8");
        });

        app.MapGet("/probe", async (HttpContext http, ProbeRequestHandler probes, ConfigHolder config) =>
        {
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
            var response = await probes.HandleAsync(query, timeout, config.Current, http.RequestAborted).ConfigureAwait(false);
            return Results.Text(response.Body, response.ContentType, statusCode: response.StatusCode);
        });

        app.MapGet("/-/healthy", () => Results.Text("Healthy\n"));
        app.MapGet("/-/ready", () => Results.Text("Ready\n"));
        app.MapPost("/-/reload", (ReloadCoordinator reload) => reload.Reload() is { } error
            ? Results.Text($"failed to reload config: {error}\n", statusCode: StatusCodes.Status500InternalServerError)
            : Results.Text("config reloaded\n"));
        return app;
    }
}
