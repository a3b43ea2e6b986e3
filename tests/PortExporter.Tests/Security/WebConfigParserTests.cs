using System.Security.Authentication;
using PortExporter.Core.Configuration;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

public sealed class WebConfigParserTests
{
    private const string File = "/etc/port-exporter/web.yml";
    private const string Hash = "$2a$04$oaG0OvuItjsb1tw6QpStW.uh94E.0c9pW0d.4bCNADmyOoh4wJ446";
    private const string Tls = "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n";

    public static TheoryData<string, string, int, string, string> BadFiles() => new()
    {
        { "unknown root key", "tls_config:\n  cert_file: a\n", 1, "(root).tls_config", "unknown key; expected one of: tls_server_config" },
        { "invalid YAML", "tls_server_config: [\n", 2, "(yaml)", "invalid YAML" },
        { "two documents", "basic_auth_users: {}\n---\nbasic_auth_users: {}\n", 3, "(yaml)", "expected one YAML document" },
        { "root is a list", "- a\n", 1, "(root)", "expected a mapping" },
        { "unknown TLS key", "tls_server_config:\n  cert_file: a\n  key_file: b\n  certfile: c\n", 4, "tls_server_config.certfile", "unknown key" },
        { "key given twice", "tls_server_config:\n  cert_file: a\n  key_file: b\n  cert_file: c\n", 0, "(yaml)", "invalid YAML" },
        { "cert_file missing", "tls_server_config:\n  key_file: server.key\n", 2, "tls_server_config.cert_file", "required key is missing" },
        { "key_file missing", "tls_server_config:\n  cert_file: server.pem\n", 2, "tls_server_config.key_file", "required key is missing" },
        { "cert_file and cert", Tls + "  cert: |\n    -----BEGIN CERTIFICATE-----\n", 4, "tls_server_config.cert", "give cert_file or cert, not both" },
        { "empty cert_file", "tls_server_config:\n  cert_file: ''\n  key_file: b\n", 2, "tls_server_config.cert_file", "expected a non-empty string" },
        { "unknown client_auth_type", Tls + "  client_auth_type: RequireSomething\n", 4, "tls_server_config.client_auth_type", "expected one of: NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, got 'RequireSomething'" },
        { "client CA without client auth", Tls + "  client_ca_file: ca.pem\n", 4, "tls_server_config.client_ca_file", "does not verify client certificates" },
        { "client CA with RequireAny", Tls + "  client_ca_file: ca.pem\n  client_auth_type: RequireAnyClientCert\n", 4, "tls_server_config.client_ca_file", "does not verify client certificates" },
        { "verification without client CA", Tls + "  client_auth_type: RequireAndVerifyClientCert\n", 4, "tls_server_config.client_auth_type", "needs client_ca_file" },
        { "SANs without verification", Tls + "  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: [a.example]\n", 5, "tls_server_config.client_allowed_sans", "needs client_auth_type RequireAndVerifyClientCert" },
        { "SANs not a list", Tls + "  client_ca_file: ca.pem\n  client_auth_type: RequireAndVerifyClientCert\n  client_allowed_sans: a.example\n", 6, "tls_server_config.client_allowed_sans", "expected a list" },
        { "TLS 1.1", Tls + "  min_version: TLS11\n", 4, "tls_server_config.min_version", "TLS11 is not supported" },
        { "unknown version", Tls + "  max_version: TLS14\n", 4, "tls_server_config.max_version", "expected TLS12 or TLS13, got 'TLS14'" },
        { "max below min", Tls + "  min_version: TLS13\n  max_version: TLS12\n", 5, "tls_server_config.max_version", "max_version is lower than min_version" },
        { "cipher suites", Tls + "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n", 4, "tls_server_config.cipher_suites", "not supported by this exporter" },
        { "curve preferences", Tls + "  curve_preferences: [X25519]\n", 4, "tls_server_config.curve_preferences", "not supported by this exporter" },
        { "TLS only settings, no certificate", "tls_server_config:\n  min_version: TLS13\n", 2, "tls_server_config.cert_file", "required key is missing" },
        { "unknown http key", "http_server_config:\n  http3: true\n", 2, "http_server_config.http3", "unknown key; expected one of: http2, headers" },
        { "http2 not a bool", "http_server_config:\n  http2: yes\n", 2, "http_server_config.http2", "expected true or false" },
        { "header not in the list", "http_server_config:\n  headers:\n    Set-Cookie: a=b\n", 3, "http_server_config.headers.Set-Cookie", "can not be configured; expected one of: Strict-Transport-Security" },
        { "Content-Type cannot be overridden", "http_server_config:\n  headers:\n    Content-Type: text/html\n", 3, "http_server_config.headers.Content-Type", "can not be configured" },
        { "WWW-Authenticate cannot be overridden", "http_server_config:\n  headers:\n    WWW-Authenticate: None\n", 3, "http_server_config.headers.WWW-Authenticate", "can not be configured" },
        { "bad X-Frame-Options", "http_server_config:\n  headers:\n    X-Frame-Options: allow-from x\n", 3, "http_server_config.headers.X-Frame-Options", "invalid value for X-Frame-Options: expected one of: deny, sameorigin, got 'allow-from x'" },
        { "bad X-Content-Type-Options", "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n", 3, "http_server_config.headers.X-Content-Type-Options", "expected one of: nosniff" },
        { "header injection", "http_server_config:\n  headers:\n    Content-Security-Policy: \"a\\r\\nSet-Cookie: x\"\n", 3, "http_server_config.headers.Content-Security-Policy", "no line breaks" },
        { "header twice in another case", "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    x-frame-options: deny\n", 4, "http_server_config.headers.x-frame-options", "header given twice" },
        { "headers not a mapping", "http_server_config:\n  headers: [a]\n", 2, "http_server_config.headers", "expected a mapping" },
        { "users not a mapping", "basic_auth_users:\n  - alice\n", 2, "basic_auth_users", "expected a mapping" },
        { "plain-text password", "basic_auth_users:\n  alice: correct-horse\n", 2, "basic_auth_users.alice", "expected a bcrypt hash" },
        { "bcrypt cost out of range", "basic_auth_users:\n  alice: $2y$99$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n", 2, "basic_auth_users.alice", "cost 04-31" },
        { "bcrypt cost above the cap", "basic_auth_users:\n  alice: $2y$15$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n", 2, "basic_auth_users.alice", "bcrypt cost 15 is above 14, the highest accepted" },
        { "bcrypt cost 31", "basic_auth_users:\n  alice: $2y$31$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n", 2, "basic_auth_users.alice", "expected a cost of 04-14" },
        { "rate_limit not a mapping", "rate_limit: 10\n", 1, "rate_limit", "expected a mapping" },
        { "unknown rate_limit key", "rate_limit:\n  interval: 1s\n  burst: 5\n  per_client: true\n", 4, "rate_limit.per_client", "unknown key; expected one of: interval, burst" },
        { "rate_limit interval not a duration", "rate_limit:\n  interval: fast\n  burst: 5\n", 2, "rate_limit.interval", "expected a positive duration" },
        { "rate_limit negative burst", "rate_limit:\n  interval: 1s\n  burst: -1\n", 3, "rate_limit.burst", "expected an integer" },
        { "truncated hash", "basic_auth_users:\n  alice: $2y$10$QOauhQNbBCuQDKes6eFzPe\n", 2, "basic_auth_users.alice", "expected a bcrypt hash" },
        { "empty hash", "basic_auth_users:\n  alice:\n", 2, "basic_auth_users.alice", "expected a bcrypt hash" },
        { "user with a colon", $"basic_auth_users:\n  'a:b': {Hash}\n", 2, "basic_auth_users", "without ':'" },
        { "relative excluded path", "auth_excluded_paths: [metrics]\n", 1, "auth_excluded_paths[0]", "expected an absolute request path" },
        { "excluded paths not a list", "auth_excluded_paths: /metrics\n", 1, "auth_excluded_paths", "expected a list" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_web_config_names_file_line_key_and_expectation(string why, string yaml, int line, string key, string expectation)
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse(yaml, File));
        Assert.True(e.File == File, why);
        if (line > 0)
        {
            Assert.Equal(line, e.Line);
        }

        Assert.Equal(key, e.Key);
        Assert.Contains(expectation, e.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"{File}:{e.Line}:{e.Column}: {key}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_hash_is_never_repeated_in_the_error()
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse("basic_auth_users:\n  alice: correct-horse-battery\n", File));
        Assert.DoesNotContain("correct-horse", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hash_that_lost_its_key_is_never_repeated_as_an_unknown_key()
    {
        // A cut that joined "basic_auth" to the hash below it; found by the web config fuzz test (seed 4VwQ7VA5s421).
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse($"basic_auth{Hash}_paths: [/-/healthy]\n", File));
        Assert.Equal($"(root).(not a key name, {Hash.Length + 16} characters)", e.Key);
        Assert.Contains("unknown key", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("oaG0OvuItjsb1tw6QpStW", e.Message, StringComparison.Ordinal);

        var typo = Assert.Throws<ConfigException>(() => WebConfigParser.Parse("basic_auth-users: {}\n", File));
        Assert.Equal("(root).basic_auth-users", typo.Key);
    }

    [Fact]
    public void Too_many_users_are_refused()
    {
        var yaml = "basic_auth_users:\n" + string.Concat(Enumerable.Range(0, WebConfigParser.MaxUsers + 1).Select(i => $"  u{i}: {Hash}\n"));
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse(yaml, File));
        Assert.Equal("basic_auth_users", e.Key);
        Assert.Contains($"at most {WebConfigParser.MaxUsers} users", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    [InlineData("tls_server_config:\n")]
    [InlineData("tls_server_config: {}\n")]
    public void An_empty_web_config_serves_plain_HTTP_without_auth(string yaml)
    {
        var config = WebConfigParser.Parse(yaml, File);
        Assert.Null(config.Tls);
        Assert.Empty(config.BasicAuthUsers);
        Assert.Empty(config.Http.Headers);
        Assert.True(config.Http.Http2);
    }

    [Fact]
    public void A_full_web_config_is_read_with_paths_relative_to_its_folder()
    {
        var yaml = """
            tls_server_config:
              cert_file: tls/server.pem
              key_file: /secrets/server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ../ca.pem
              client_allowed_sans:
                - prometheus.example
              min_version: TLS13
              prefer_server_cipher_suites: true
            http_server_config:
              http2: false
              headers:
                x-frame-options: DENY
                X-Content-Type-Options: nosniff
                Content-Security-Policy: default-src 'none'
                Strict-Transport-Security: ""
            basic_auth_users:
              prometheus: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi
              grafana: $2b$12$oaG0OvuItjsb1tw6QpStW.uh94E.0c9pW0d.4bCNADmyOoh4wJ446
            auth_excluded_paths:
              - /-/healthy
            """;
        var config = WebConfigParser.Parse(yaml, File);
        var tls = Assert.IsType<TlsServerConfig>(config.Tls);
        Assert.Equal("/etc/port-exporter/tls/server.pem", tls.Certificate.Path);
        Assert.Equal("/secrets/server.key", tls.Key.Path);
        Assert.Equal("/etc/ca.pem", tls.ClientCa!.Path);
        Assert.Equal(ClientAuthType.RequireAndVerifyClientCert, tls.ClientAuth);
        Assert.Equal(["prometheus.example"], tls.ClientAllowedSans);
        Assert.Equal(SslProtocols.Tls13, tls.Protocols);
        Assert.False(config.Http.Http2);
        Assert.Equal(
            [new("X-Frame-Options", "DENY"), new("X-Content-Type-Options", "nosniff"), new("Content-Security-Policy", "default-src 'none'")],
            config.Http.Headers);
        Assert.Equal(["grafana", "prometheus"], config.BasicAuthUsers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["/-/healthy"], config.AuthExcludedPaths);
    }

    [Fact]
    public void TLS_defaults_are_TLS12_to_TLS13_without_client_certificates()
    {
        var tls = WebConfigParser.Parse(Tls, File).Tls!;
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, tls.Protocols);
        Assert.Equal(ClientAuthType.NoClientCert, tls.ClientAuth);
        Assert.Null(tls.ClientCa);
    }

    [Fact]
    public void The_legacy_RequireClientCert_name_means_RequireAnyClientCert()
    {
        var tls = WebConfigParser.Parse(Tls + "  client_auth_type: RequireClientCert\n", File).Tls!;
        Assert.Equal(ClientAuthType.RequireAnyClientCert, tls.ClientAuth);
    }

    [Fact]
    public void Inline_certificate_and_key_are_kept_as_text()
    {
        var tls = WebConfigParser.Parse("tls_server_config:\n  cert: |\n    PEM-CERT\n  key: |\n    PEM-KEY\n", File).Tls!;
        Assert.Null(tls.Certificate.Path);
        Assert.Equal("PEM-CERT\n", tls.Certificate.Text);
        Assert.Equal("key", tls.Key.Key);
        Assert.Equal(4, tls.Key.Line);
    }

    [Theory]
    [InlineData("rate_limit:\n  interval: \"1s\"\n  burst: 20\n", 1000, 20)]
    [InlineData("rate_limit:\n  interval: 500ms\n", 500, 0)]
    [InlineData("rate_limit:\n  interval: 2m\n  burst: 1\n", 120_000, 1)]
    public void Rate_limit_is_read_as_in_the_exporter_toolkit(string yaml, int intervalMs, int burst)
    {
        Assert.Equal(new RateLimitConfig(TimeSpan.FromMilliseconds(intervalMs), burst), WebConfigParser.Parse(yaml, File).RateLimit);
    }

    [Theory]
    [InlineData("rate_limit:\n  interval: 0\n  burst: 0\n")]
    [InlineData("rate_limit:\n  interval: 0s\n  burst: 5\n")]
    [InlineData("rate_limit:\n  interval: 0ms\n")]
    [InlineData("rate_limit:\n  burst: 5\n")]
    [InlineData("rate_limit: {}\n")]
    public void A_zero_or_missing_rate_limit_interval_turns_the_limiter_off(string yaml)
    {
        Assert.Null(WebConfigParser.Parse(yaml, File).RateLimit);
    }

    [Fact]
    public void A_YAML_error_names_the_file_but_never_the_secret_it_stopped_at()
    {
        // Found by the fuzz test: a hash turned into an alias (*...) made YAML's message quote it.
        const string hash = "a2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse($"basic_auth_users:\n  prometheus: *{hash}\n", File));

        Assert.StartsWith($"{File}:", e.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("QOauhQNbBCuQDKes6eFzP", e.Message, StringComparison.Ordinal);
    }
}
