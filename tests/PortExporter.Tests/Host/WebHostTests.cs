using System.Net;

namespace PortExporter.Tests.Host;

public sealed class WebHostTests : IAsyncLifetime
{
    private ExporterHost? _host;
    private HttpClient? _http;
    private string _configFile = string.Empty;

    public async Task InitializeAsync()
    {
        _host = await ExporterHost.StartAsync(
            "probes:\n  enabled: false\nports:\n  - name: web\n    port: 8080\n", settings => settings with { EnableLifecycle = true });
        _http = _host.Http;
        _configFile = _host.ConfigFile;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Metrics_are_served_in_the_Prometheus_text_format_with_help_on_every_family()
    {
        using var response = await _http!.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("port_exporter_collector_success{collector=\"network\"} 1", body, StringComparison.Ordinal);
        Assert.Contains("port_exporter_config_last_reload_successful 1", body, StringComparison.Ordinal);
        Assert.Contains("port_exporter_build_info{version=", body, StringComparison.Ordinal);
        Assert.Contains("port_diagnosis{service=\"web\",port=\"8080\",protocol=\"tcp\",cause=", body, StringComparison.Ordinal);
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)))
        {
            var name = line.Split(' ')[2];
            Assert.Contains($"# HELP {name} ", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OpenMetrics_is_served_when_asked_for()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        using var response = await _http!.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/openmetrics-text", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Landing_page_links_metrics_health_and_diagnosis()
    {
        var html = await _http!.GetStringAsync("/");
        Assert.Contains("href=\"/metrics\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/-/healthy\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/diagnose\"", html, StringComparison.Ordinal);
        Assert.Equal("Healthy\n", await _http.GetStringAsync("/-/healthy"));
        Assert.Equal("Ready\n", await _http.GetStringAsync("/-/ready"));
    }

    [Fact]
    public async Task A_bad_reload_keeps_the_old_config_and_reports_it()
    {
        File.WriteAllText(_configFile, "ports:\n  - name: web\n    port: nope\n");
        using var failed = await _http!.PostAsync("/-/reload", null);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("failed to reload config\n", await failed.Content.ReadAsStringAsync());
        var body = await _http.GetStringAsync("/metrics");
        Assert.Contains("port_exporter_config_last_reload_successful 0", body, StringComparison.Ordinal);
        Assert.Contains("service=\"web\",port=\"8080\"", body, StringComparison.Ordinal);

        File.WriteAllText(_configFile, "probes:\n  enabled: false\nports:\n  - name: api\n    port: 9090\n");
        using var ok = await _http.PostAsync("/-/reload", null);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        body = await _http.GetStringAsync("/metrics");
        Assert.Contains("port_exporter_config_last_reload_successful 1", body, StringComparison.Ordinal);
        Assert.Contains("port_diagnosis{service=\"api\",port=\"9090\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("service=\"web\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_answers_json_when_asked_and_html_otherwise()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/diagnose");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _http!.SendAsync(request);
        var json = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("web", doc.RootElement.GetProperty("ports")[0].GetProperty("service").GetString());
        var html = await _http.GetStringAsync("/diagnose");
        Assert.Contains("<h1>Diagnosis</h1>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/probe?target=not-configured")]
    [InlineData("/probe?target=a&target=b")]
    [InlineData("/probe?port=8080")]
    [InlineData("/probe")]
    public async Task Probe_refuses_anything_but_configured_targets(string url)
    {
        using var response = await _http!.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 400);
    }
}
