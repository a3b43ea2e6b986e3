using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;

namespace PortExporter.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void Reads_every_documented_key()
    {
        const string yaml = """
            ports:
              - name: web
                port: 8080
                protocol: tcp
                process: nginx
                unit: nginx.service
                bind: 0.0.0.0
                external: ["203.0.113.10:80", "[2001:db8::1]:80"]
                selinux_type: http_port_t
              - name: dns
                port: 53
                protocol: udp
            firewall:
              external_source: 198.51.100.7
              refresh_interval: 10s
            probes:
              timeout: 500ms
              concurrency: 8
            probe_targets:
              - name: web-public
                address: 203.0.113.10
                port: 80
            vantages:
              - name: outside
                url: http://probe.example.net:10070
            """;
        var config = ConfigLoader.Parse(yaml, "test.yml");

        Assert.Equal(2, config.Ports.Count);
        var web = config.Ports[0];
        Assert.Equal(new PortKey(8080, TransportProtocol.Tcp), web.Key);
        Assert.Equal("nginx", web.Process);
        Assert.Equal("nginx.service", web.Unit);
        Assert.Equal(IPAddress.Any, web.Bind);
        Assert.Equal([new HostPort("203.0.113.10", 80), new HostPort("2001:db8::1", 80)], web.ExternalEndpoints);
        Assert.Equal("http_port_t", web.SelinuxType);
        Assert.Equal(TransportProtocol.Udp, config.Ports[1].Protocol);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), config.Firewall.ExternalSource);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Firewall.RefreshInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.Probes.Timeout);
        Assert.Equal(8, config.Probes.Concurrency);
        Assert.Equal("web-public", Assert.Single(config.ProbeTargets).Name);
        Assert.Equal("outside", Assert.Single(config.Vantages).Name);
        Assert.False(config.DiscoversPorts);
    }

    [Theory]
    [InlineData("ports:\n  - name: web\n    port: 0\n", 3, "ports[0].port", "expected an integer 1-65535")]
    [InlineData("ports:\n  - name: web\n    port: 70000\n", 3, "ports[0].port", "expected an integer 1-65535")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    colour: red\n", 4, "ports[0].colour", "unknown key")]
    [InlineData("portz: []\n", 1, "(root).portz", "unknown key")]
    [InlineData("ports:\n  - name: a\n    port: 80\n  - name: b\n    port: 80\n", 4, "ports[1]", "duplicate port 80/tcp")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    bind: 10.0.0.300\n", 4, "ports[0].bind", "expected an IPv4 or IPv6 address")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    protocol: sctp\n", 4, "ports[0].protocol", "expected tcp or udp")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    external: [\"203.0.113.1\"]\n", 4, "ports[0].external", "expected HOST:PORT")]
    [InlineData("ports:\n  - port: 80\n", 2, "ports[0].name", "required key is missing")]
    [InlineData("ports:\n  - name: web\n    port: 80\n    unit: \"-rf\"\n", 4, "ports[0].unit", "expected a systemd unit name")]
    [InlineData("vantages:\n  - name: external\n    url: http://x:1\n", 2, "vantages[0].name", "reserved")]
    [InlineData("vantages:\n  - name: far\n    url: ftp://x\n", 3, "vantages[0].url", "expected an http://")]
    [InlineData("probes:\n  timeout: 5\n", 2, "probes.timeout", "expected a positive duration")]
    [InlineData("web:\n  min_collection_interval: 0s\n", 2, "web.min_collection_interval", "expected a positive duration")]
    [InlineData("web:\n  min_collection_interval: 2m\n", 2, "web.min_collection_interval", "expected a duration of at most 1m")]
    [InlineData("web:\n  listen: x\n", 2, "web.listen", "unknown key")]
    [InlineData("history:\n  max_events: 0\n", 2, "history.max_events", "expected an integer 1-10000, got '0'")]
    [InlineData("history:\n  max_age: 7\n", 2, "history.max_age", "expected a positive duration such as 500ms, 5s, 2m, 1h or 7d")]
    [InlineData("history:\n  max_age: 40000d\n", 2, "history.max_age", "expected a positive duration")]
    [InlineData("history:\n  keep: 1\n", 2, "history.keep", "unknown key")]
    [InlineData("ports: [\n", 2, "(yaml)", "invalid YAML")]
    public void Rejects_bad_config_with_file_line_key_and_expectation(string yaml, int line, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "bad.yml"));
        Assert.Equal("bad.yml", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.Key);
        Assert.Contains(expected, e.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"bad.yml:{line}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrapes_reuse_a_collection_for_the_configured_interval_or_one_second()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), ConfigLoader.Parse("ports: []\n", "default.yml").Web.MinCollectionInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), ConfigLoader.Parse("web:\n  min_collection_interval: 250ms\n", "web.yml").Web.MinCollectionInterval);
    }

    [Fact]
    public void The_timeline_keeps_100_events_of_7_days_per_port_unless_history_says_otherwise()
    {
        var defaults = ConfigLoader.Parse("ports: []\n", "default.yml").History;
        Assert.Equal((100, TimeSpan.FromDays(7)), (defaults.MaxEvents, defaults.MaxAge));
        var set = ConfigLoader.Parse("history:\n  max_events: 20\n  max_age: 2d\n", "history.yml").History;
        Assert.Equal((20, TimeSpan.FromDays(2)), (set.MaxEvents, set.MaxAge));
    }

    [Fact]
    public void An_empty_file_watches_every_listener()
    {
        var config = ConfigLoader.Parse(string.Empty, "empty.yml");
        Assert.Empty(config.Ports);
    }
}
