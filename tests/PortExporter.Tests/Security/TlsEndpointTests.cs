using System.Net;
using System.Security.Authentication;

namespace PortExporter.Tests.Security;

public sealed class TlsEndpointTests(TestPki pki) : IClassFixture<TestPki>
{
    private string WebConfig(string name, string extra = "") =>
        pki.File(name, $"tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n{extra}");

    [Fact]
    public async Task Metrics_are_served_over_TLS_with_the_configured_certificate()
    {
        await using var host = await SecureHost.StartAsync(WebConfig("tls.yml"));
        using var client = SecureHost.Client(pki);
        using var response = await client.GetAsync(new Uri(host.Https, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("port_exporter_build_info", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_after_the_key_was_replaced_by_one_that_does_not_belong_keeps_serving_with_the_loaded_pair()
    {
        using var dir = new Support.TempDir();
        var (mismatchedCert, mismatchedKey) = WebConfigLoaderTests.MismatchedEcPair(dir.Path);
        File.Copy(pki.ServerCert, Path.Combine(dir.Path, "server.pem"));
        File.Copy(pki.ServerKey, Path.Combine(dir.Path, "server.key"));
        var web = dir.File("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n");
        await using var host = await SecureHost.StartAsync(web);

        // The web config is read at start only: a reload (SIGHUP, /-/reload) neither applies nor trips on a bad pair.
        File.Copy(mismatchedCert, Path.Combine(dir.Path, "server.pem"), overwrite: true);
        File.Copy(mismatchedKey, Path.Combine(dir.Path, "server.key"), overwrite: true);
        var reload = Assert.IsType<PortExporter.Hosting.ReloadCoordinator>(host.App.Services.GetService(typeof(PortExporter.Hosting.ReloadCoordinator)));
        Assert.True(reload.Reload());

        using var client = SecureHost.Client(pki);
        using var response = await client.GetAsync(new Uri(host.Https, "/-/healthy"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Plain_HTTP_against_the_TLS_port_gets_no_answer()
    {
        await using var host = await SecureHost.StartAsync(WebConfig("tls-plain.yml"));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(new Uri(host.Http, "/metrics")));
    }

    [Fact]
    public async Task A_client_below_min_version_is_refused_and_one_at_it_is_served()
    {
        await using var host = await SecureHost.StartAsync(WebConfig("tls13.yml", "  min_version: TLS13\n"));
        using (var tls12 = SecureHost.Client(pki, protocols: SslProtocols.Tls12))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => tls12.GetAsync(new Uri(host.Https, "/-/healthy")));
        }

        using var tls13 = SecureHost.Client(pki, protocols: SslProtocols.Tls13);
        using var response = await tls13.GetAsync(new Uri(host.Https, "/-/healthy"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HTTP2_is_offered_over_TLS_unless_turned_off()
    {
        await using (var host = await SecureHost.StartAsync(WebConfig("h2.yml")))
        {
            using var client = SecureHost.Client(pki);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.Https, "/-/healthy")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpVersion.Version20, response.Version);
        }

        await using (var host = await SecureHost.StartAsync(WebConfig("h1.yml", "http_server_config:\n  http2: false\n")))
        {
            using var client = SecureHost.Client(pki);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.Https, "/-/healthy")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpVersion.Version11, response.Version);
        }
    }
}
