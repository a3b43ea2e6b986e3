using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

/// <summary>
/// A vantage's own outside view: a scheduled round also probes every configured <c>probe_targets</c> entry (and only
/// those), and /metrics shows each with its <c>host</c>, so the view of a host stays when nobody asks <c>/probe</c>.
/// Loopback only.
/// </summary>
public sealed class ProbeTargetScheduleTests
{
    [Fact]
    public void A_target_may_name_its_host()
    {
        var config = ConfigLoader.Parse("probe_targets:\n  - name: web1-http\n    address: 203.0.113.10\n    port: 80\n    host: web1.example.net\n", "vantage.yml");

        Assert.Equal("web1.example.net", Assert.Single(config.ProbeTargets).Host);
    }

    [Theory]
    [InlineData("host: ''\n", "expected a non-empty string")]
    [InlineData("host: 'web1 web2'\n", "expected a host name")]
    [InlineData("host: 'web\"1'\n", "expected a host name")]
    public void A_bad_host_fails_with_line_key_and_expectation(string hostLine, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("probe_targets:\n  - name: t\n    address: 203.0.113.10\n    port: 80\n    " + hostLine, "bad.yml"));

        Assert.Equal((5, "probe_targets[0].host"), (e.Line, e.Key));
        Assert.Contains(expected, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scheduled_round_probes_every_configured_target_and_a_one_shot_round_none()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var closed = ClosedPort();
        var config = ExporterConfig.AutoDiscover with
        {
            SourcePath = "vantage.yml",
            Ports = [],
            ProbeTargets = [new("web1-up", "127.0.0.1", open, TransportProtocol.Tcp) { Host = "web1" }, new("web2-down", "127.0.0.1", closed, TransportProtocol.Tcp) { Host = "web2" }],
        };
        var runner = Runner();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);

        var scheduled = await runner.RunAsync(new ProbePlanInput(config, null, []) { WithTargets = true }, deadline, CancellationToken.None);
        var oneShot = await runner.RunAsync(new ProbePlanInput(config, null, []), deadline, CancellationToken.None);

        Assert.True(scheduled.Targets["web1-up"].Success);
        Assert.Equal(ProbeFailureReason.Refused, scheduled.Targets["web2-down"].Reason);
        Assert.Equal(2, scheduled.Targets.Count);
        Assert.Empty(oneShot.Targets);

        // /metrics: each configured target with its host; a target the config no longer has is not shown.
        var text = await WriteAsync(config with { ProbeTargets = config.ProbeTargets.Take(1).Concat([new ProbeTarget("web3", "127.0.0.1", 1, TransportProtocol.Tcp)]).ToList() }, scheduled);
        Assert.Equal(
            [$"port_target_probe_success{{target=\"web1-up\",host=\"web1\",address=\"127.0.0.1:{open}\",protocol=\"tcp\"}} 1"],
            Exposition.Samples(text, "port_target_probe_success"));
        text = await WriteAsync(config, scheduled);
        Assert.Contains($"port_target_probe_failure_reason{{target=\"web2-down\",host=\"web2\",address=\"127.0.0.1:{closed}\",protocol=\"tcp\",reason=\"refused\"}} 1", Exposition.Samples(text, "port_target_probe_failure_reason"));
        Assert.Equal(["port_target_probes{host=\"web1\"} 1", "port_target_probes{host=\"web2\"} 1"], Exposition.Samples(text, "port_target_probes"));
        Assert.Empty(await Exposition.LintAsync(text));

        // Per host, the count of its targets with a result (what a fleet's rules divide by); a target without a host is not counted.
        text = await WriteAsync(config with { ProbeTargets = [.. config.ProbeTargets.Select(t => t with { Host = "web1" }), new ProbeTarget("web3", "127.0.0.1", 1, TransportProtocol.Tcp)] }, scheduled);
        Assert.Equal(["port_target_probes{host=\"web1\"} 2"], Exposition.Samples(text, "port_target_probes"));
    }

    private static async Task<string> WriteAsync(ExporterConfig config, ProbeEvidence probes)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        new ProbeMetrics(Prometheus.Metrics.WithCustomRegistry(registry)).Write(
            new EvidenceSnapshot(DateTimeOffset.UtcNow, config, [], new Dictionary<string, CollectorStatus>(), Probes: probes with { RoundAt = DateTimeOffset.UtcNow }));
        return await Exposition.TextAsync(registry);
    }

    private static ProbeRunner Runner() => new(
        new TcpProber(ProbeNetwork.Host, TimeProvider.System),
        new UdpProber(ProbeNetwork.Host, TimeProvider.System),
        new RemoteVantageClient(new HttpClient(), TimeProvider.System),
        ProbeNetwork.Host,
        TimeProvider.System,
        NullLogger<ProbeRunner>.Instance);

    /// <summary>A loopback port nothing listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
