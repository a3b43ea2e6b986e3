using System.Net;
using PortExporter.Core.Configuration;

namespace PortExporter.Tests.Intent;

public sealed class IntentConfigTests
{
    [Fact]
    public void Reads_expose_and_from_per_port_with_public_as_the_default()
    {
        const string yaml = """
            ports:
              - name: web
                port: 8080
                from: [198.51.100.0/24, "2001:db8:100::/48"]
              - name: db
                port: 5432
                expose: internal
              - name: admin
                port: 9000
                expose: local
            """;
        var config = ConfigLoader.Parse(yaml, "intent.yml");

        var web = config.Ports[0];
        Assert.Equal(PortExpose.Public, web.Expose);
        Assert.Equal(IntentOrigin.Config, web.Origin);
        Assert.Equal([IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("2001:db8:100::/48")], web.From);
        Assert.Equal(PortExpose.Internal, config.Ports[1].Expose);
        Assert.Empty(config.Ports[1].From);
        Assert.Equal(PortExpose.Local, config.Ports[2].Expose);
        Assert.False(config.DiscoversPorts);
    }

    [Fact]
    public void A_file_without_ports_keeps_auto_watch_and_takes_its_settings()
    {
        var config = ConfigLoader.Parse("auto_watch:\n  min_age: 30s\n  forget_after: 2h\n  max_ports: 64\n", "auto.yml");

        Assert.True(config.DiscoversPorts);
        Assert.Empty(config.Ports);
        Assert.Equal(new AutoWatchSettings(null, TimeSpan.FromSeconds(30), TimeSpan.FromHours(2), 64), config.AutoWatch);
    }

    [Fact]
    public void Auto_watch_defaults_come_from_config_defaults()
    {
        var config = ConfigLoader.Parse("firewall:\n  refresh_interval: 10s\n", "auto.yml");

        Assert.True(config.DiscoversPorts);
        Assert.Equal(ConfigDefaults.AutoWatchMinAge, config.AutoWatch.MinAge);
        Assert.Equal(ConfigDefaults.AutoWatchForgetAfter, config.AutoWatch.ForgetAfter);
        Assert.Equal(ConfigDefaults.AutoWatchMaxPorts, config.AutoWatch.MaxPorts);
        Assert.True(ExporterConfig.AutoDiscover.DiscoversPorts);
    }

    [Fact]
    public void Auto_watch_enabled_next_to_ports_watches_both_and_disabled_watches_none()
    {
        var both = ConfigLoader.Parse("auto_watch:\n  enabled: true\nports:\n  - name: web\n    port: 80\n", "both.yml");
        var none = ConfigLoader.Parse("auto_watch:\n  enabled: false\n", "none.yml");

        Assert.True(both.DiscoversPorts);
        Assert.Single(both.Ports);
        Assert.False(none.DiscoversPorts);
    }

    [Theory]
    [InlineData("ports:\n  - name: web\n    port: 80\n    expose: everyone\n", 4, "ports[0].expose", "expected public, internal or local")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    from: [198.51.100.7]\n", 4, "ports[0].from[0]", "expected an IPv4 or IPv6 CIDR range")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    from: [198.51.100.7/24]\n", 4, "ports[0].from[0]", "no host bits set")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    from: [\"fe80::/10%eth0\"]\n", 4, "ports[0].from[0]", "expected an IPv4 or IPv6 CIDR range")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    from: 198.51.100.0/24\n", 4, "ports[0].from", "expected a list")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    from: []\n", 4, "ports[0].from", "at least one CIDR range")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    expose: local\n    from: [10.0.0.0/8]\n", 5, "ports[0].from", "applies to expose: public or internal")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    from: [10.0.0.0/8, 198.51.100.0/24, 10.0.0.0/8]\n", 4, "ports[0].from", "each range once, got 10.0.0.0/8 twice")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    from: [10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24, 10.0.3.0/24, 10.0.4.0/24, 10.0.5.0/24, 10.0.6.0/24, 10.0.7.0/24, 10.0.8.0/24, 10.0.9.0/24, 10.0.10.0/24, 10.0.11.0/24, 10.0.12.0/24, 10.0.13.0/24, 10.0.14.0/24, 10.0.15.0/24, 10.0.16.0/24]\n", 4, "ports[0].from", "at most 16 ranges")]
    [InlineData("auto_watch:\n  enabled: yes please\n", 2, "auto_watch.enabled", "expected true or false")]
    [InlineData("auto_watch:\n  min_age: 2\n", 2, "auto_watch.min_age", "expected a positive duration")]
    [InlineData("auto_watch:\n  forget_after: -1h\n", 2, "auto_watch.forget_after", "expected a positive duration")]
    [InlineData("auto_watch:\n  max_ports: 0\n", 2, "auto_watch.max_ports", "expected an integer 1-131072")]
    [InlineData("auto_watch:\n  max: 5\n", 2, "auto_watch.max", "unknown key")]
    [InlineData("auto_watch: [1]\n", 1, "auto_watch", "expected a mapping")]
    public void Rejects_bad_intent_with_file_line_key_and_expectation(string yaml, int line, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "bad.yml"));
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.Key);
        Assert.Contains(expected, e.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"bad.yml:{line}:", e.Message, StringComparison.Ordinal);
    }
}
