using PortExporter.Core.Configuration;
using PortExporter.Tests.Support;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

public sealed class WebConfigLoaderTests(TestPki pki) : IClassFixture<TestPki>
{
    private ConfigException LoadFails(string name, string yaml)
    {
        var file = pki.File(name, yaml);
        var e = Assert.Throws<ConfigException>(() => WebConfigLoader.Load(file));
        Assert.Equal(file, e.File);
        return e;
    }

    [Fact]
    public void A_missing_web_config_file_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigLoader.Load("/nonexistent/web.yml"));
        Assert.Equal("/nonexistent/web.yml: cannot read web config file: no such file", e.Message);
    }

    [Fact]
    public void A_missing_certificate_file_is_reported_at_the_key_that_names_it()
    {
        var e = LoadFails("missing-cert.yml", $"tls_server_config:\n  cert_file: nope.pem\n  key_file: {pki.ServerKey}\n");
        Assert.Equal(2, e.Line);
        Assert.Equal("tls_server_config.cert_file", e.Key);
        Assert.Equal($"cannot read {pki.PathOf("nope.pem")}: no such file", e.Problem);
    }

    [Fact]
    public void A_directory_as_key_file_is_refused()
    {
        var e = LoadFails("dir-key.yml", $"tls_server_config:\n  cert_file: {pki.ServerCert}\n  key_file: {pki.Directory}\n");
        Assert.Equal("tls_server_config.key_file", e.Key);
        Assert.Contains("is a directory", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_file_without_a_certificate_is_refused()
    {
        pki.File("garbage.pem", "this is not a certificate\n");
        var e = LoadFails("garbage-cert.yml", $"tls_server_config:\n  cert_file: garbage.pem\n  key_file: {pki.ServerKey}\n");
        Assert.Equal("tls_server_config.cert_file", e.Key);
        Assert.Contains("expected a PEM CERTIFICATE block in", e.Problem, StringComparison.Ordinal);
        Assert.Contains("garbage.pem, found none", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_certificate_is_refused()
    {
        var pem = File.ReadAllText(pki.ServerCert);
        pki.File("corrupt.pem", pem[..40] + "AAAA" + pem[60..]);
        var e = LoadFails("corrupt-cert.yml", $"tls_server_config:\n  cert_file: corrupt.pem\n  key_file: {pki.ServerKey}\n");
        Assert.Equal("tls_server_config.cert_file", e.Key);
        Assert.Contains("expected a PEM CERTIFICATE block", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_another_certificate_is_refused()
    {
        var e = LoadFails("wrong-key.yml", $"tls_server_config:\n  cert_file: {pki.ServerCert}\n  key_file: {pki.PathOf("client.key")}\n");
        Assert.Equal(3, e.Line);
        Assert.Equal("tls_server_config.key_file", e.Key);
        Assert.Contains("cannot be used with the certificate", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_encrypted_key_is_refused_with_the_reason()
    {
        var encrypted = pki.PathOf("server-encrypted.key");
        Shell.Run("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", pki.ServerKey, "-out", encrypted, "-passout", "pass:secret");
        var e = LoadFails("encrypted-key.yml", $"tls_server_config:\n  cert_file: {pki.ServerCert}\n  key_file: {encrypted}\n");
        Assert.Equal("tls_server_config.key_file", e.Key);
        Assert.Contains("encrypted private keys are not supported", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_CA_file_without_a_certificate_is_refused()
    {
        var e = LoadFails("ca-nocerts.yml", $"tls_server_config:\n  cert_file: {pki.ServerCert}\n  key_file: {pki.ServerKey}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {pki.PathOf("ca.key")}\n");
        Assert.Equal(5, e.Line);
        Assert.Equal("tls_server_config.client_ca_file", e.Key);
        Assert.Contains("client CA", e.Problem, StringComparison.Ordinal);
        Assert.Contains("found none", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificates_load_from_relative_paths_with_the_chain_and_client_CA()
    {
        var chain = File.ReadAllText(pki.ServerCert) + File.ReadAllText(pki.CaFile);
        pki.File("chain.pem", chain);
        var file = pki.File("good.yml", "tls_server_config:\n  cert_file: chain.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n");
        var security = WebConfigLoader.Load(file);
        var tls = Assert.IsType<ServerTls>(security.Tls);
        Assert.Equal("CN=127.0.0.1", tls.Certificate.Subject);
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.Equal("CN=PortExporter test CA", Assert.Single(tls.Intermediates).Subject);
        Assert.Equal("CN=PortExporter test CA", Assert.Single(tls.ClientCas).Subject);
        Assert.Equal(Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate, tls.ClientCertificateMode);
    }

    [Fact]
    public void Inline_certificate_and_key_load()
    {
        static string Indent(string pem) => string.Join("\n", pem.TrimEnd().Split('\n').Select(l => "    " + l)) + "\n";
        var yaml = "tls_server_config:\n  cert: |\n" + Indent(File.ReadAllText(pki.ServerCert)) + "  key: |\n" + Indent(File.ReadAllText(pki.ServerKey));
        var security = WebConfigLoader.Load(pki.File("inline.yml", yaml));
        Assert.Equal("CN=127.0.0.1", security.Tls!.Certificate.Subject);
        Assert.Empty(security.Tls.Intermediates);
    }

    [Fact]
    public void A_web_config_without_TLS_loads_no_certificate()
    {
        var security = WebConfigLoader.Load(pki.File("auth-only.yml", "basic_auth_users:\n  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n"));
        Assert.Null(security.Tls);
        Assert.True(security.RequiresBasicAuth);
    }

    [Fact]
    public void An_EC_key_of_another_EC_certificate_is_refused_at_the_key_file_line()
    {
        // A certificate and key that do not belong together, both P-256: the .NET import throws an
        // ArgumentException here (not a CryptographicException), which used to escape as a stack trace.
        var (cert, key) = MismatchedEcPair(pki.Directory);
        var e = LoadFails("mismatched-ec.yml", $"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n");
        Assert.Equal(3, e.Line);
        Assert.Equal(13, e.Column);
        Assert.Equal("tls_server_config.key_file", e.Key);
        Assert.Contains($"the private key in {key} does not belong to the certificate in {cert}", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa", "another RSA key")]
    [InlineData("ed25519", "an Ed25519 key")]
    [InlineData("x25519", "an X25519 key")]
    public void Any_other_key_for_the_server_certificate_is_a_config_error_at_the_key_file_line(string algorithm, string what)
    {
        var key = pki.PathOf($"other-{algorithm}.key");
        Shell.Run("openssl", "genpkey", "-algorithm", algorithm, "-out", key);
        var e = LoadFails($"other-{algorithm}.yml", $"tls_server_config:\n  cert_file: {pki.ServerCert}\n  key_file: {key}\n");
        Assert.True(e.Line == 3 && e.Key == "tls_server_config.key_file", $"{what}: {e.Message}");
    }

    /// <summary>An EC (P-256) self-signed certificate and a second, unrelated EC P-256 key, made by openssl.</summary>
    internal static (string Cert, string Key) MismatchedEcPair(string directory)
    {
        var cert = Path.Combine(directory, "ec-server.pem");
        var key = Path.Combine(directory, "ec-other.key");
        if (!File.Exists(key))
        {
            Shell.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", Path.Combine(directory, "ec-server.key"), "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1");
            Shell.Run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key);
        }

        return (cert, key);
    }
}
