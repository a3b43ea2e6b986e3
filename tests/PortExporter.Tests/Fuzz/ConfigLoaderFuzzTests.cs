using CsCheck;
using PortExporter.Core.Configuration;

namespace PortExporter.Tests.Fuzz;

public sealed class ConfigLoaderFuzzTests
{
    private const string File = "/etc/port-exporter/port-exporter.yml";

    private static readonly string[] Seeds =
    [
        """
        ports:
          - name: web
            port: 8080
            protocol: tcp
            process: nginx
            unit: nginx.service
            bind: 0.0.0.0
            external: ["203.0.113.10:80"]
            selinux_type: http_port_t
          - name: dns
            port: 53
            protocol: udp
        firewall:
          external_source: 203.0.113.1
          refresh_interval: 30s
          command_timeout: 5s
        selinux:
          audit_log: /var/log/audit/audit.log
        probes:
          enabled: true
          timeout: 2s
          concurrency: 32
        probe_targets:
          - name: web-public
            address: 203.0.113.10
            port: 80
            protocol: tcp
        vantages:
          - name: outside
            url: http://probe.example.net:10070
        """,
        "ports:\n  - {name: a, port: 1}\n  - {name: b, port: 65535, protocol: udp, external: '[2001:db8::1]:443'}\n",
        "base: &a {name: web, port: 80}\nports: [*a]\n",
        "probes: {enabled: false}\n",
    ];

    private static void OnlyConfigException(string text)
    {
        try
        {
            _ = ConfigLoader.Parse(text, File);
        }
        catch (ConfigException e)
        {
            Assert.StartsWith(File, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Mutated_configs_give_a_config_or_a_ConfigException()
    {
        Mutations.Mutated(Seeds, [.. Mutations.YamlTokens, "ports", "port", "name", "protocol", "udp", "sctp", "0.0.0.0", "::", "[::1]:80", "5s", "0ms", "24h", "-", "unit", "nginx..service"])
            .Fuzz(OnlyConfigException);
    }

    [Fact]
    public void Random_text_gives_a_config_or_a_ConfigException()
    {
        Mutations.Text("portsnamebindexternal:-[]{},&*!|>'\"#%?\n\t 0123456789.", 300).Fuzz(OnlyConfigException);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    [InlineData("- ", "")]
    public void Deep_nesting_is_refused_instead_of_overflowing_the_stack(string open, string close)
    {
        var depth = 100_000;
        var text = open == "- "
            ? string.Concat(Enumerable.Range(0, 2_000).Select(i => new string(' ', i) + "- \n"))
            : string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, File));
        Assert.Equal("(yaml)", e.Key);
        Assert.Contains($"nested deeper than {DepthLimitedYamlParser.MaxDepth} levels", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_YAML_like_any_other()
    {
        string Nested(int depth) => "probes: " + new string('[', depth - 1) + new string(']', depth - 1) + "\n";
        Assert.Equal("probes", Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Nested(DepthLimitedYamlParser.MaxDepth), File)).Key);
        Assert.Equal("(yaml)", Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Nested(DepthLimitedYamlParser.MaxDepth + 1), File)).Key);
    }

    [Theory]
    [InlineData("base: &a {name: web, *a }\n")] // the fuzzer's find, shortened: 41 bytes ended the process (stack overflow)
    [InlineData("ports: &s [ {[*s]: x} ]\n")]
    [InlineData("&m {k: [ {*m : v} ]}\n")]
    public void An_alias_inside_the_node_it_names_is_refused_instead_of_overflowing_the_stack(string text)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, File));
        Assert.Equal("(yaml)", e.Key);
        Assert.Contains("is inside the node it names", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_that_stand_for_a_billion_nodes_are_refused_without_walking_them()
    {
        // Nine levels of nine aliases: 21 lines for 9^9 nodes, each hashed when the last one is a mapping key.
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
            + string.Concat(Enumerable.Range(1, 8).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n"))
            + "? *a8\n: boom\n";
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, File));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal("(yaml)", e.Key);
        Assert.Contains($"more than {DepthLimitedYamlParser.MaxNodes} nodes", e.Problem, StringComparison.Ordinal);
        Assert.True(allocated < text.Length * 500L, $"refusing {text.Length} bytes allocated {allocated} bytes");
    }

    [Fact]
    public void Aliases_within_the_limit_read_as_the_node_they_name()
    {
        var config = ConfigLoader.Parse("""
            ports:
              - &web {name: web, port: 8080, bind: 0.0.0.0}
              - {name: admin, port: &admin 9090}
            probe_targets:
              - {name: admin-public, address: 203.0.113.10, port: *admin}
            """, File);
        Assert.Equal([8080, 9090], config.Ports.Select(p => p.Port));
        Assert.Equal(9090, Assert.Single(config.ProbeTargets).Port);
    }

    [Fact]
    public void A_large_flat_file_is_parsed_in_bounded_time()
    {
        var text = "ports:\n" + string.Concat(Enumerable.Range(1, 5_000).Select(i => $"  - {{name: p{i}, port: {i}}}\n"));
        // Bounded work, measured in what the machine's load cannot change: bytes allocated, a few hundred per input byte at most.
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var config = ConfigLoader.Parse(text, File);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal(5_000, config.Ports.Count);
        Assert.True(allocated < text.Length * 500L, $"parsing {text.Length} bytes allocated {allocated} bytes");
    }
}
