using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

public sealed class BasicAuthEndpointTests(TestPki pki) : IClassFixture<TestPki>, IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private SecureHost? _host;

    public async Task InitializeAsync()
    {
        // Cost 4 keeps the suite fast; the $2y$ prefix is what htpasswd -B writes (same algorithm as $2a$).
        var hash = BCrypt.Net.BCrypt.HashPassword(Password, 4).Replace("$2a$", "$2y$", StringComparison.Ordinal);
        var webConfig = pki.File("auth.yml", $"""
            tls_server_config:
              cert_file: server.pem
              key_file: server.key
            http_server_config:
              headers:
                X-Frame-Options: deny
                X-Content-Type-Options: nosniff
                Content-Security-Policy: default-src 'none'
                Strict-Transport-Security: max-age=31536000
            basic_auth_users:
              prometheus: {hash}
            auth_excluded_paths:
              - /-/healthy
            """);
        _host = await SecureHost.StartAsync(webConfig);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task<HttpResponseMessage> Get(string path, string? authorization)
    {
        using var client = SecureHost.Client(pki);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_host!.Https, path));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request);
    }

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static void AssertChallenged(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Contains("realm=\"port-exporter\"", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_credentials_get_401_with_a_Basic_challenge_and_the_configured_headers()
    {
        using var response = await Get("/metrics", null);
        AssertChallenged(response);
        Assert.Equal("deny", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("Unauthorized\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("prometheus", "Tr0ub4dor&3")]
    [InlineData("prometheus", "")]
    [InlineData("grafana", Password)]
    [InlineData("Prometheus", Password)]
    public async Task Wrong_user_or_password_gets_401(string user, string password)
    {
        using var response = await Get("/metrics", Basic(user, password));
        AssertChallenged(response);
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Basic !!!not-base64!!!")]
    [InlineData("Basic cHJvbWV0aGV1cw==")] // "prometheus": no colon
    [InlineData("Basic")]
    public async Task Malformed_credentials_get_401(string authorization)
    {
        using var response = await Get("/metrics", authorization);
        AssertChallenged(response);
    }

    [Fact]
    public async Task The_right_password_gets_the_metrics_with_the_configured_headers()
    {
        using var response = await Get("/metrics", Basic("prometheus", Password));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("port_exporter_build_info", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("deny", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task Every_endpoint_but_the_excluded_path_needs_credentials()
    {
        using (var healthy = await Get("/-/healthy", null))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal("nosniff", Assert.Single(healthy.Headers.GetValues("X-Content-Type-Options")));
        }

        foreach (var path in new[] { "/", "/diagnose", "/-/ready", "/-/healthy/", "/no-such-page" })
        {
            using var response = await Get(path, null);
            AssertChallenged(response);
        }

        using var client = SecureHost.Client(pki);
        using var reload = await client.PostAsync(new Uri(_host!.Https, "/-/reload"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, reload.StatusCode);
    }

    [Fact]
    public async Task Repeated_scrapes_pay_for_bcrypt_once()
    {
        var authenticator = _host!.App.Services.GetRequiredService<BasicAuthenticator>();
        var before = authenticator.BcryptVerifications;
        for (var i = 0; i < 5; i++)
        {
            using var response = await Get("/-/ready", Basic("prometheus", Password));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.InRange(authenticator.BcryptVerifications - before, 0, 1);
    }
}
