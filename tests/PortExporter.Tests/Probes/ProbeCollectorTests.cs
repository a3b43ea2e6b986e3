using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using PortExporter.Core.Probes;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Probes;

/// <summary>
/// The probe collector running inside the lab's server namespace, as the host agent would, with a fake remote
/// PortExporter in the outside namespace as its remote vantage.
/// </summary>
public sealed class ProbeCollectorTests(ProbeLab lab) : IClassFixture<ProbeLab>
{
    private static readonly ProbeSettings FastProbes = new(true, TimeSpan.FromSeconds(1), 32);

    private static readonly ProbeTarget[] OutsideTargets =
    [
        new("app-direct", "10.1.0.1", 7002, TransportProtocol.Tcp),
        new("app-nat", "10.2.0.254", 8002, TransportProtocol.Tcp),
        new("rej-direct", "10.1.0.1", 7003, TransportProtocol.Tcp),
        new("rej-nat", "10.2.0.254", 8003, TransportProtocol.Tcp),
    ];

    [Fact]
    public async Task A_listener_on_127_0_0_1_answers_on_loopback_and_is_refused_on_the_internal_address()
    {
        var web = new PortSpec("web", 7001, TransportProtocol.Tcp, Bind: ProbeLab.ServerDmz);

        var evidence = await CollectAsync(Config([web]), [Listener("127.0.0.1", 7001)]);

        Assert.Equal(
            ["loopback 127.0.0.1:7001 ok", "internal 10.1.0.1:7001 refused"],
            Outcomes(evidence, web));
    }

    [Fact]
    public async Task A_firewall_shows_as_loopback_success_with_external_and_outside_failure_and_the_reason_tells_drop_from_reject()
    {
        var app = new PortSpec("app", 7002, TransportProtocol.Tcp, External: [new HostPort("10.2.0.254", 8002)]);
        var rej = new PortSpec("rej", 7003, TransportProtocol.Tcp, External: [new HostPort("10.2.0.254", 8003), new HostPort("10.2.0.254", 8009)]);
        using var outside = Outside(18080);
        var config = Config([app, rej], new Vantage("outside", outside.Url));

        var evidence = await CollectAsync(config, [Listener("0.0.0.0", 7002), Listener("0.0.0.0", 7003)]);

        Assert.Equal(
            [
                "external 10.2.0.254:8002 timeout", "internal 10.1.0.1:7002 ok", "internal 10.3.0.1:7002 ok", "loopback 127.0.0.1:7002 ok",
                "outside 10.1.0.1:7002 timeout", "outside 10.2.0.254:8002 timeout",
            ],
            Outcomes(evidence, app).Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                "external 10.2.0.254:8003 unreachable", "external 10.2.0.254:8009 refused", "internal 10.1.0.1:7003 ok", "internal 10.3.0.1:7003 ok",
                "loopback 127.0.0.1:7003 ok", "outside 10.1.0.1:7003 unreachable", "outside 10.2.0.254:8003 unreachable",
            ],
            Outcomes(evidence, rej).Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<string, bool> { ["outside"] = true }, evidence.VantageUp);
        Assert.Equal(0, evidence.Skipped);
        Assert.Equal(
            ["/probe?port=7002&protocol=tcp", "/probe?port=7003&protocol=tcp", "/probe?port=8002&protocol=tcp", "/probe?port=8003&protocol=tcp", "/probe?port=8009&protocol=tcp"],
            outside.Requests.Select(r => r.Split(' ')[0]).Order(StringComparer.Ordinal));
        Assert.All(outside.Requests, r => Assert.Matches(@"timeout=[23]\.\d+$", r));

        // What /metrics shows for the same port.
        var registry = Prometheus.Metrics.NewCustomRegistry();
        new ProbeMetrics(Prometheus.Metrics.WithCustomRegistry(registry)).Write(
            new EvidenceSnapshot(DateTimeOffset.UtcNow, config, config.Ports, new Dictionary<string, CollectorStatus>(), Probes: evidence));
        var text = await Exposition.TextAsync(registry);
        Assert.Contains("port_probe_success{service=\"app\",port=\"7002\",protocol=\"tcp\",vantage=\"loopback\",address=\"127.0.0.1:7002\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_probe_failure_reason{service=\"app\",port=\"7002\",protocol=\"tcp\",vantage=\"outside\",address=\"10.2.0.254:8002\",reason=\"timeout\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_probe_failure_reason{service=\"rej\",port=\"7003\",protocol=\"tcp\",vantage=\"external\",address=\"10.2.0.254:8003\",reason=\"unreachable\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_vantage_up{vantage=\"outside\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Udp_ports_are_probed_with_datagrams()
    {
        var echo = new PortSpec("echo", 5353, TransportProtocol.Udp);
        var closed = new PortSpec("closed", 5354, TransportProtocol.Udp);

        var evidence = await CollectAsync(Config([echo, closed]), [Listener("0.0.0.0", 5353, TransportProtocol.Udp)]);

        Assert.Equal(["internal 10.1.0.1:5353 ok", "internal 10.3.0.1:5353 ok", "loopback 127.0.0.1:5353 ok"], Outcomes(evidence, echo).Order(StringComparer.Ordinal));
        Assert.Equal(["internal 10.1.0.1:5354 refused", "internal 10.3.0.1:5354 refused", "loopback 127.0.0.1:5354 refused"], Outcomes(evidence, closed).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_vantage_that_does_not_answer_or_answers_garbage_is_down_and_gives_no_result()
    {
        var app = new PortSpec("app", 7002, TransportProtocol.Tcp);
        using var garbage = Outside(18081, "<html><body>Welcome to nginx!</body></html>\n");
        var config = Config(
            [app],
            new Vantage("refusing", new Uri("http://10.2.0.1:1/")),
            new Vantage("silent", new Uri("http://10.2.0.1:9/")),
            new Vantage("garbage", garbage.Url));
        lab.OutsideNs.Exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "9", "-j", "DROP");
        try
        {
            var evidence = await CollectAsync(config, [Listener("0.0.0.0", 7002)]);

            Assert.Equal(new Dictionary<string, bool> { ["refusing"] = false, ["silent"] = false, ["garbage"] = false }, evidence.VantageUp);
            Assert.DoesNotContain(evidence.Ports[app.Key], r => r.Vantage is "refusing" or "silent" or "garbage");
            Assert.Contains(evidence.Ports[app.Key], r => r is { Vantage: "loopback", Success: true });
        }
        finally
        {
            lab.OutsideNs.Exec("iptables", "-D", "INPUT", "-p", "tcp", "--dport", "9", "-j", "DROP");
        }
    }

    [Fact]
    public async Task A_vantage_without_a_target_for_the_port_is_up_with_no_result()
    {
        var web = new PortSpec("web", 7001, TransportProtocol.Tcp);
        using var outside = Outside(18082);

        var evidence = await CollectAsync(Config([web], new Vantage("outside", outside.Url)), [Listener("127.0.0.1", 7001)]);

        Assert.Equal(new Dictionary<string, bool> { ["outside"] = true }, evidence.VantageUp);
        Assert.DoesNotContain(evidence.Ports[web.Key], r => r.Vantage == "outside");
    }

    [Fact]
    public async Task Disabled_probes_leave_the_evidence_missing()
    {
        var config = Config([new PortSpec("web", 7001, TransportProtocol.Tcp)]) with { Probes = FastProbes with { Enabled = false } };
        var probes = await Collector().CollectAsync(
            new CollectionContext(config, HostPaths.Default, TimeProvider.System, DateTimeOffset.UtcNow.AddSeconds(4)), HostFacts.None, config.Ports, CancellationToken.None);

        Assert.Null(probes);
    }

    [Fact]
    public async Task Probes_that_cannot_start_before_the_deadline_are_skipped_and_counted_never_reported()
    {
        // One probe at a time. The first port's external probe hangs (its timeout is longer than the collection), so it
        // holds the one slot until the deadline and is cut there; every probe queued behind it, all of the second and
        // third port's, never gets the slot. Which probes start does not depend on how fast the machine is: the first
        // port's three quick probes and its external one start at once, the rest wait for a slot that is never free.
        PortSpec[] ports = [.. ((int[])[7001, 7002, 7003]).Select(p => new PortSpec($"p{p}", p, TransportProtocol.Tcp, External: [new HostPort("10.2.0.254", 8002)]))];
        var config = Config(ports) with { Probes = new ProbeSettings(true, TimeSpan.FromSeconds(60), 1) };

        var evidence = await CollectAsync(config, [Listener("127.0.0.1", 7001), Listener("0.0.0.0", 7002), Listener("0.0.0.0", 7003)], deadlineSeconds: 3);

        Assert.Equal(["external 10.2.0.254:8002 timeout", "internal 10.1.0.1:7001 refused", "internal 10.3.0.1:7001 refused", "loopback 127.0.0.1:7001 ok"], Outcomes(evidence, ports[0]).Order(StringComparer.Ordinal));
        Assert.Empty(evidence.Ports[ports[1].Key]);
        Assert.Empty(evidence.Ports[ports[2].Key]);
        Assert.Equal(8, evidence.Skipped);
    }

    private static string[] Outcomes(ProbeEvidence evidence, PortSpec port) =>
        [.. evidence.Ports[port.Key].Select(r => $"{r.Vantage} {r.Address} {(r.Success ? "ok" : r.Reason.ToLabel())}")];

    private static Listener Listener(string address, int port, TransportProtocol protocol = TransportProtocol.Tcp) =>
        new(protocol, IPAddress.Parse(address), port, 1);

    private static ExporterConfig Config(PortSpec[] ports, params Vantage[] vantages) =>
        ExporterConfig.AutoDiscover with { SourcePath = "host.yml", Ports = ports, Probes = FastProbes, Vantages = vantages };

    private FakeRemoteVantage Outside(int port, string? garbage = null)
    {
        var network = lab.OutsideThread.Network();
        var handler = new ProbeRequestHandler(new TcpProber(network, TimeProvider.System), new UdpProber(network, TimeProvider.System), TimeProvider.System);
        var config = ExporterConfig.AutoDiscover with { SourcePath = "outside.yml", ProbeTargets = OutsideTargets, Probes = FastProbes };
        return new FakeRemoteVantage(lab.OutsideThread, ProbeLab.Outside, port, config, handler, garbage);
    }

    private ProbeCollector Collector()
    {
        var network = lab.ServerThread.Network();
        return new ProbeCollector(new ProbeRunner(
            new TcpProber(network, TimeProvider.System),
            new UdpProber(network, TimeProvider.System),
            new RemoteVantageClient(lab.ServerThread.HttpClient(), TimeProvider.System),
            network,
            TimeProvider.System,
            NullLogger<ProbeRunner>.Instance));
    }

    private async Task<ProbeEvidence> CollectAsync(ExporterConfig config, Listener[] listeners, double deadlineSeconds = 4)
    {
        var facts = HostFacts.None with { Sockets = new SocketEvidence(listeners) };
        var context = new CollectionContext(config, HostPaths.Default, TimeProvider.System, DateTimeOffset.UtcNow.AddSeconds(deadlineSeconds));

        return (await Collector().CollectAsync(context, facts, config.Ports, CancellationToken.None))!;
    }
}
