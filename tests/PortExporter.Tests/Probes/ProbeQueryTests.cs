using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

public sealed class ProbeQueryTests
{
    private static readonly ProbeTarget[] Targets =
    [
        new("web-a", "203.0.113.10", 80, TransportProtocol.Tcp),
        new("web-b", "203.0.113.11", 80, TransportProtocol.Tcp),
        new("dns", "203.0.113.53", 53, TransportProtocol.Udp),
    ];

    [Fact]
    public void A_target_name_selects_that_target()
    {
        Assert.True(ProbeQuery.TryParse(Query(("target", "dns"), ("debug", "true")), Targets, out var query, out _));

        Assert.Equal(("dns", true), (Assert.Single(query!.Targets).Name, query.Debug));
    }

    [Fact]
    public void A_port_selects_every_target_with_that_port_and_protocol()
    {
        Assert.True(ProbeQuery.TryParse(Query(("port", "80")), Targets, out var tcp, out _));
        Assert.True(ProbeQuery.TryParse(Query(("port", "53"), ("protocol", "udp")), Targets, out var udp, out _));

        Assert.Equal(["web-a", "web-b"], tcp!.Targets.Select(t => t.Name));
        Assert.Equal("dns", Assert.Single(udp!.Targets).Name);
    }

    [Theory]
    [InlineData("unknown probe target 'db': only probe_targets", "target", "db")]
    [InlineData("unknown probe target '203.0.113.10'", "target", "203.0.113.10")]
    [InlineData("give exactly one of target=NAME or port=PORT")]
    [InlineData("no probe target for 53/tcp", "port", "53")]
    [InlineData("no probe target for 22/tcp", "port", "22")]
    [InlineData("port must be 1-65535, got '65536'", "port", "65536")]
    [InlineData("port must be 1-65535, got '-80'", "port", "-80")]
    [InlineData("protocol must be tcp or udp, got 'icmp'", "port", "80", "protocol", "icmp")]
    [InlineData("protocol goes with port", "target", "dns", "protocol", "udp")]
    [InlineData("give exactly one of", "target", "dns", "port", "53")]
    [InlineData("unknown parameter 'module'", "target", "web-a", "module", "tcp_connect")]
    [InlineData("debug must be true or false", "target", "web-a", "debug", "yes")]
    [InlineData("unknown probe target '?script?alert?1???script?'", "target", "<script>alert(1)</script>")]
    public void Anything_else_is_refused_with_a_short_reason(string expected, params string[] pairs)
    {
        var query = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            query[pairs[i]] = pairs[i + 1];
        }

        Assert.False(ProbeQuery.TryParse(query, Targets, out var parsed, out var problem));

        Assert.Null(parsed);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_queries_and_many_parameters_are_refused_without_echo()
    {
        var longName = new string('a', 5000);

        Assert.False(ProbeQuery.TryParse(Query(("target", longName)), Targets, out _, out var tooLong));
        Assert.False(ProbeQuery.TryParse(Query([.. Enumerable.Range(0, 9).Select(i => ($"p{i}", "x"))]), Targets, out _, out var tooMany));
        Assert.False(ProbeQuery.TryParse(Query(("target", new string('b', 900))), Targets, out _, out var echoed));

        Assert.Equal("query longer than 1024 characters", tooLong);
        Assert.Equal("too many query parameters", tooMany);
        Assert.True(echoed!.Length < 200, echoed);
    }

    [Fact]
    public void More_targets_than_the_bound_are_refused()
    {
        var many = Enumerable.Range(0, ProbeLimits.MaxTargetsPerRequest + 1).Select(i => new ProbeTarget($"t{i}", "10.0.0.1", 80, TransportProtocol.Tcp)).ToArray();

        Assert.False(ProbeQuery.TryParse(Query(("port", "80")), many, out _, out var problem));

        Assert.Contains("at most 512", problem, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Query(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
}
