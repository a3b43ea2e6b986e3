using System.Net;
using System.Text;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

/// <summary>A web config shared with exporter-toolkit exporters is read unchanged, rate_limit included.</summary>
public sealed class ToolkitWebConfigTests(TestPki pki) : IClassFixture<TestPki>
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Security", "fixtures", "exporter-toolkit", "web-config.yml");

    /// <summary>The fixture copied, unchanged, into a folder with the server.crt and server.key it names.</summary>
    private string ToolkitWebConfig()
    {
        var dir = Path.Combine(pki.Directory, "toolkit");
        Directory.CreateDirectory(dir);
        File.Copy(pki.ServerCert, Path.Combine(dir, "server.crt"), overwrite: true);
        File.Copy(pki.ServerKey, Path.Combine(dir, "server.key"), overwrite: true);
        var file = Path.Combine(dir, "web.yml");
        File.Copy(Fixture, file, overwrite: true);
        return file;
    }

    [Fact]
    public void The_exporter_toolkit_sample_loads_unchanged()
    {
        var security = WebConfigLoader.Load(ToolkitWebConfig());

        Assert.Equal("CN=127.0.0.1", security.Tls!.Certificate.Subject);
        Assert.Equal(["alice", "bob"], security.Config.BasicAuthUsers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["X-Frame-Options", "Strict-Transport-Security", "X-Content-Type-Options", "X-XSS-Protection", "Content-Security-Policy"],
            security.Config.Http.Headers.Select(h => h.Key));
        Assert.Equal(new RateLimitConfig(TimeSpan.FromSeconds(1), 20), security.Config.RateLimit);
    }

    [Fact]
    public async Task The_exporter_toolkit_sample_serves_TLS_with_its_headers_and_asks_for_credentials()
    {
        await using var host = await SecureHost.StartAsync(ToolkitWebConfig());
        using var client = SecureHost.Client(pki);

        using var response = await client.GetAsync(new Uri(host.Https, "/metrics"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("deny", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("default-src 'self' *.test.example.net", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Rate_limit_answers_429_once_the_burst_is_spent_before_any_credential_is_checked()
    {
        // One token per hour: after the burst of 2, no token comes back within the test.
        var hash = BCrypt.Net.BCrypt.HashPassword("secret", 4);
        var web = pki.File("rate-limited.yml", $"basic_auth_users:\n  prometheus: {hash}\nrate_limit:\n  interval: 1h\n  burst: 2\n");
        await using var host = await SecureHost.StartAsync(web);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.Http, "/metrics"));
            request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("prometheus:secret")));
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(1, host.App.Services.GetService(typeof(BasicAuthenticator)) is BasicAuthenticator a ? a.BcryptVerifications : -1);
    }
}
