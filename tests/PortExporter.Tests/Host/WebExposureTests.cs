using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using PortExporter.Hosting;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Host;

/// <summary>What an anonymous network client can make the exporter do: collect, probe, reload, read the diagnosis, hold connections.</summary>
public sealed class WebExposureTests
{
    private const string Config = "probes:\n  enabled: false\nports:\n  - name: web\n    port: 8080\n";
    private const string OtherConfig = "probes:\n  enabled: false\nports:\n  - name: api\n    port: 9090\n";

    [Fact]
    public async Task The_landing_page_runs_no_collection()
    {
        await using var host = await ExporterHost.StartAsync(Config);
        var before = await host.SampleAsync("port_exporter_collections_total");

        for (var i = 0; i < 3; i++)
        {
            var html = await host.Http.GetStringAsync("/");
            Assert.Contains("href=\"/diagnose\"", html, StringComparison.Ordinal);
        }

        // The second /metrics may run one collection itself; the three landing pages none.
        Assert.InRange(await host.SampleAsync("port_exporter_collections_total") - before, 0, 1);
    }

    [Fact]
    public async Task Probe_is_rate_limited_per_client_address_with_429_and_a_counter()
    {
        var closed = FreePort.Next();
        await using var host = await ExporterHost.StartAsync(
            "probes:\n  enabled: false\n  client_rate_limit:\n    interval: 1h\n    burst: 3\n"
            + $"probe_targets:\n  - name: closed\n    address: 127.0.0.1\n    port: {closed}\n"
            + "ports:\n  - name: web\n    port: 8080\n");
        Assert.Equal(0, await host.SampleAsync("port_exporter_probe_requests_rate_limited_total"));

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await host.Http.GetAsync("/probe?target=closed");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await host.Http.GetAsync("/probe?target=closed");
        using var other = host.Client(IPAddress.Parse("127.0.0.2"));
        using var otherClient = await other.GetAsync("/probe?target=closed");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
        Assert.Equal(1, await host.SampleAsync("port_exporter_probe_requests_rate_limited_total"));
    }

    [Fact]
    public async Task Reload_is_forbidden_without_the_lifecycle_flag()
    {
        await using var host = await ExporterHost.StartAsync(Config);
        File.WriteAllText(host.ConfigFile, OtherConfig);

        using var response = await host.Http.PostAsync("/-/reload", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Lifecycle API is not enabled.\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("web", await ServiceAsync(host));
    }

    public static TheoryData<string, string?, string?, string?> CrossSite => new()
    {
        { "an HTML form", "application/x-www-form-urlencoded", "http://attacker.example", "cross-site" },
        { "an HTML form from a browser that sends neither Origin nor Sec-Fetch-*", "application/x-www-form-urlencoded", null, null },
        { "a multipart form", "multipart/form-data; boundary=x", null, null },
        { "a text/plain form", "text/plain", null, null },
        { "a no-cors fetch without a body", null, "http://attacker.example", "cross-site" },
        { "a no-cors fetch from a sibling site", null, null, "same-site" },
        { "a no-cors fetch from a browser without Sec-Fetch-*", null, "http://attacker.example", null },
    };

    [Theory]
    [MemberData(nameof(CrossSite))]
    public async Task A_request_a_cross_site_page_can_send_cannot_reload(string what, string? contentType, string? origin, string? fetchSite)
    {
        await using var host = await ExporterHost.StartAsync(Config, s => s with { EnableLifecycle = true });
        File.WriteAllText(host.ConfigFile, OtherConfig);

        using var response = await host.Http.SendAsync(ReloadRequest(contentType, origin, fetchSite));

        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: {response.StatusCode}");
        Assert.Equal("web", await ServiceAsync(host));
    }

    public static TheoryData<string, string?, string?, string?> Tools => new()
    {
        { "curl -X POST", null, null, null },
        { "a client posting JSON", "application/json", null, null },
        { "a page of the exporter itself", null, "http://127.0.0.1:{port}", "same-origin" },
    };

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_tool_or_a_same_origin_request_reloads(string what, string? contentType, string? origin, string? fetchSite)
    {
        await using var host = await ExporterHost.StartAsync(Config, s => s with { EnableLifecycle = true });
        File.WriteAllText(host.ConfigFile, OtherConfig);

        using var response = await host.Http.SendAsync(ReloadRequest(contentType, origin?.Replace("{port}", host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), fetchSite));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what}: {response.StatusCode}");
        Assert.Equal("api", await ServiceAsync(host));
    }

    [Fact]
    public async Task Reload_is_post_only()
    {
        await using var host = await ExporterHost.StartAsync(Config, s => s with { EnableLifecycle = true });

        using var get = await host.Http.GetAsync("/-/reload");
        using var put = await host.Http.PutAsync("/-/reload", null);

        Assert.Equal((HttpStatusCode.MethodNotAllowed, HttpStatusCode.MethodNotAllowed), (get.StatusCode, put.StatusCode));
    }

    [Fact]
    public async Task A_failed_reload_tells_the_client_only_that_it_failed()
    {
        await using var host = await ExporterHost.StartAsync(Config, s => s with { EnableLifecycle = true });
        File.WriteAllText(host.ConfigFile, "ports:\n  - name: web\n    port: hunter2-s3cret\n");

        using var response = await host.Http.PostAsync("/-/reload", null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("failed to reload config\n", body);
        Assert.Equal(0, await host.SampleAsync("port_exporter_config_last_reload_successful"));
    }

    [Fact]
    public async Task Diagnose_is_served_only_on_its_own_listen_address_when_one_is_given()
    {
        var diagnosePort = FreePort.Next();
        await using var host = await ExporterHost.StartAsync(Config, s => s with { DiagnoseListenAddress = new ListenAddress(IPAddress.Loopback, diagnosePort) });
        using var diagnose = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{diagnosePort}") };

        using var mainHtml = await host.Http.GetAsync("/diagnose");
        using var mainJson = await host.Http.GetAsync("/diagnose?format=json");
        using var html = await diagnose.GetAsync("/diagnose");
        using var json = await diagnose.GetAsync("/diagnose?format=json");
        using var metrics = await diagnose.GetAsync("/metrics");
        var landing = await host.Http.GetStringAsync("/");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (mainHtml.StatusCode, mainJson.StatusCode));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (html.StatusCode, json.StatusCode));
        Assert.Contains("<h1>Diagnosis</h1>", await html.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith("application/json", json.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.DoesNotContain("href=\"/diagnose\"", landing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_over_the_cap_are_closed_and_the_others_still_served()
    {
        await using var host = await ExporterHost.StartAsync(Config, s => s with { MaxConnections = 2 });
        using var first = await ConnectAsync(host.Port);
        using var second = await ConnectAsync(host.Port);
        await ExchangeAsync(first, "/-/healthy");

        using var third = await ConnectAsync(host.Port);
        var refused = await ExchangeAsync(third, "/-/healthy");

        Assert.Equal(string.Empty, refused);
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(second, "/-/healthy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_with_too_many_headers_is_refused()
    {
        await using var host = await ExporterHost.StartAsync(Config);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/-/healthy");
        for (var i = 0; i < 80; i++)
        {
            request.Headers.TryAddWithoutValidation($"X-Filler-{i}", "x");
        }

        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    private static HttpRequestMessage ReloadRequest(string? contentType, string? origin, string? fetchSite)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/-/reload");
        if (contentType is not null)
        {
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", fetchSite);
        }

        return request;
    }

    /// <summary>The service of the first watched port in the JSON diagnosis: which config is in force.</summary>
    private static async Task<string?> ServiceAsync(ExporterHost host)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await host.Http.GetStringAsync("/diagnose?format=json"));
        return doc.RootElement.GetProperty("ports")[0].GetProperty("service").GetString();
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return client;
    }

    /// <summary>Sends one GET on the connection; the response head, or empty when the server closed the connection instead.</summary>
    private static async Task<string> ExchangeAsync(TcpClient client, string path)
    {
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
