using CsCheck;
using PortExporter.Core.Configuration;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Fuzz;

public sealed class WebConfigFuzzTests
{
    private const string File = "/etc/port-exporter/web.yml";

    private static readonly string[] Seeds =
    [
        """
        tls_server_config:
          cert_file: server.pem
          key_file: server.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.pem
          client_allowed_sans: [prometheus.example]
          min_version: TLS12
          max_version: TLS13
        http_server_config:
          http2: true
          headers:
            X-Frame-Options: deny
            Content-Security-Policy: default-src 'none'
        basic_auth_users:
          prometheus: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi
        auth_excluded_paths: [/-/healthy]
        """,
        "tls_server_config:\n  cert: |\n    -----BEGIN CERTIFICATE-----\n  key: |\n    x\n",
        "basic_auth_users: {a: $2a$04$oaG0OvuItjsb1tw6QpStW.uh94E.0c9pW0d.4bCNADmyOoh4wJ446}\n",
        "rate_limit:\n  interval: \"1s\"\n  burst: 20\nbasic_auth_users: {a: $2y$14$oaG0OvuItjsb1tw6QpStW.uh94E.0c9pW0d.4bCNADmyOoh4wJ446}\n",
    ];

    private static void OnlyConfigException(string text)
    {
        try
        {
            _ = WebConfigParser.Parse(text, File);
        }
        catch (ConfigException e)
        {
            Assert.StartsWith(File, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Mutated_web_configs_give_a_config_or_a_ConfigException()
    {
        Mutations.Mutated(Seeds, [.. Mutations.YamlTokens, "TLS11", "TLS13", "NoClientCert", "RequireAndVerifyClientCert", "cert_file", "headers", "$2y$", "Set-Cookie", "rate_limit", "interval", "burst", "0", "$2y$15$"])
            .Fuzz(OnlyConfigException);
    }

    [Fact]
    public void An_alias_inside_the_node_it_names_is_a_ConfigException_not_a_stack_overflow()
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse("basic_auth_users:\n  admin: &h {x: *h}\n", File));
        Assert.StartsWith(File, e.Message, StringComparison.Ordinal);
        Assert.Contains("is inside the node it names", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("basic_auth_users:\n  prometheus$2y$15$ $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcExcluded_paths: [/-/healthy]\n")] // found by scripts/fuzz
    [InlineData("basic_auth_users:\n  prometheus:$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi: x\n")]
    [InlineData("tls_server_config:\n  min_version: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n")]
    [InlineData("tls_server_config:\n  client_auth_type: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n")]
    [InlineData("http_server_config:\n  headers:\n    $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi: deny\n")]
    public void A_hash_that_lost_its_place_is_never_repeated_by_the_error(string text)
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse(text, File));
        Assert.StartsWith(File, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_text_gives_a_config_or_a_ConfigException()
    {
        Mutations.Text("tls_server_config:basic_auth_users-[]{},&*!|>'\"#%?\n\t $2y0123456789./", 300).Fuzz(OnlyConfigException);
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_overflowing_the_stack()
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse(new string('[', 200_000), File));
        Assert.Equal("(yaml)", e.Key);
    }
}
