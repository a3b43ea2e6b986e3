using System.Net;

namespace PortExporter.Tests.Security;

public sealed class ClientCertificateTests(TestPki pki) : IClassFixture<TestPki>
{
    private string WebConfig(string name, string clientAuth) =>
        pki.File(name, $"tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n{clientAuth}");

    private async Task<HttpStatusCode> Get(SecureHost host, string? clientCertificate)
    {
        using var certificate = clientCertificate is null ? null : pki.ClientCertificate(clientCertificate);
        using var client = SecureHost.Client(pki, certificate);
        using var response = await client.GetAsync(new Uri(host.Https, "/-/healthy"));
        return response.StatusCode;
    }

    [Fact]
    public async Task RequireAndVerifyClientCert_refuses_no_certificate_and_a_foreign_one_and_serves_the_CA_signed_one()
    {
        await using var host = await SecureHost.StartAsync(WebConfig("mtls.yml", "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n"));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Get(host, null));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Get(host, "rogue-client"));
        Assert.Equal(HttpStatusCode.OK, await Get(host, "client"));
    }

    [Fact]
    public async Task A_CA_signed_certificate_for_servers_only_is_refused_as_a_client_certificate()
    {
        await using var host = await SecureHost.StartAsync(WebConfig("mtls-eku.yml", "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n"));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Get(host, "server"));
    }

    [Fact]
    public async Task Client_allowed_sans_refuse_a_verified_certificate_without_an_allowed_name()
    {
        await using var host = await SecureHost.StartAsync(WebConfig(
            "mtls-sans.yml",
            "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n  client_allowed_sans: [spiffe://example/prometheus]\n"));
        Assert.Equal(HttpStatusCode.OK, await Get(host, "client"));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Get(host, "other-client"));
    }

    [Fact]
    public async Task VerifyClientCertIfGiven_serves_without_a_certificate_but_refuses_a_foreign_one()
    {
        await using var host = await SecureHost.StartAsync(WebConfig("mtls-optional.yml", "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.pem\n"));
        Assert.Equal(HttpStatusCode.OK, await Get(host, null));
        Assert.Equal(HttpStatusCode.OK, await Get(host, "client"));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Get(host, "rogue-client"));
    }

    [Fact]
    public async Task RequireAnyClientCert_needs_a_certificate_but_does_not_verify_it()
    {
        await using var host = await SecureHost.StartAsync(WebConfig("any-cert.yml", "  client_auth_type: RequireAnyClientCert\n"));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Get(host, null));
        Assert.Equal(HttpStatusCode.OK, await Get(host, "rogue-client"));
    }

    [Fact]
    public void The_SANs_of_a_certificate_are_read_as_text()
    {
        using var certificate = pki.ClientCertificate("client");
        Assert.Equal(["prometheus.example", "spiffe://example/prometheus"], Web.Security.SubjectAlternativeNames.Of(certificate));
        using var server = pki.ClientCertificate("server");
        Assert.Equal(["127.0.0.1", "localhost"], Web.Security.SubjectAlternativeNames.Of(server));
    }
}
