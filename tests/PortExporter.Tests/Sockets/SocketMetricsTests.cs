using System.Net;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;
using Prometheus;

namespace PortExporter.Tests.Sockets;

public sealed class SocketMetricsTests
{
    private static readonly PortSpec Web = new("web", 8080, TransportProtocol.Tcp);
    private static readonly PortSpec Admin = new("admin", 9090, TransportProtocol.Tcp, Bind: IPAddress.Parse("10.0.0.5"));
    private static readonly PortSpec Dns = new("dns", 53, TransportProtocol.Udp);

    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly SocketMetrics _writer;

    public SocketMetricsTests() => _writer = new SocketMetrics(Metrics.WithCustomRegistry(_registry));

    [Fact]
    public void Writes_listening_info_and_exposed_per_watched_port()
    {
        var listeners = new[]
        {
            new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 100),
            new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 101),
            new Listener(TransportProtocol.Tcp, IPAddress.IPv6Any, 8080, 102, V6Only: false),
            new Listener(TransportProtocol.Tcp, IPAddress.Loopback, 9090, 200),
            new Listener(TransportProtocol.Udp, IPAddress.Parse("127.0.0.53"), 53, 300),
            new Listener(TransportProtocol.Tcp, IPAddress.Any, 53, 301),
        };
        var owners = new Dictionary<ulong, ProcessInfo>
        {
            [100] = new(10, "nginx", "nginx"),
            [101] = new(10, "nginx", "nginx"),
            [102] = new(11, "nginx", "nginx"),
            [300] = new(30, "systemd-resolve", "systemd-resolved"),
        };

        _writer.Write(Snapshot([Web, Admin, Dns], new SocketEvidence(listeners), owners));

        Assert.Equal(
            [
                """port_listening{service="admin",port="9090",protocol="tcp"} 1""",
                """port_listening{service="dns",port="53",protocol="udp"} 1""",
                """port_listening{service="web",port="8080",protocol="tcp"} 1""",
            ],
            Scrape.Samples(_registry, SocketMetrics.Listening));
        Assert.Equal(
            [
                """port_listener_info{service="admin",port="9090",protocol="tcp",address="127.0.0.1",scope="loopback",process=""} 1""",
                """port_listener_info{service="dns",port="53",protocol="udp",address="127.0.0.53",scope="loopback",process="systemd-resolve"} 1""",
                """port_listener_info{service="web",port="8080",protocol="tcp",address="0.0.0.0",scope="wildcard",process="nginx"} 1""",
                """port_listener_info{service="web",port="8080",protocol="tcp",address="::",scope="wildcard",process="nginx"} 1""",
            ],
            Scrape.Samples(_registry, SocketMetrics.ListenerInfo));
        Assert.Equal(
            [
                """port_exposed{service="admin",port="9090",protocol="tcp"} 0""",
                """port_exposed{service="dns",port="53",protocol="udp"} 0""",
                """port_exposed{service="web",port="8080",protocol="tcp"} 1""",
            ],
            Scrape.Samples(_registry, SocketMetrics.Exposed));
    }

    [Fact]
    public void A_port_without_listener_is_0_and_has_no_info()
    {
        _writer.Write(Snapshot([Web], new SocketEvidence([new Listener(TransportProtocol.Udp, IPAddress.Any, 8080, 1)]), null));

        Assert.Equal(["""port_listening{service="web",port="8080",protocol="tcp"} 0"""], Scrape.Samples(_registry, SocketMetrics.Listening));
        Assert.Equal(["""port_exposed{service="web",port="8080",protocol="tcp"} 0"""], Scrape.Samples(_registry, SocketMetrics.Exposed));
        Assert.Empty(Scrape.Samples(_registry, SocketMetrics.ListenerInfo));
    }

    [Fact]
    public void Writes_nothing_when_the_sockets_collector_failed_and_drops_what_it_wrote_before()
    {
        _writer.Write(Snapshot([Web], new SocketEvidence([new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 1)]), null));
        Assert.Single(Scrape.Samples(_registry, SocketMetrics.ListenerInfo));

        _writer.Write(Snapshot([Web], null, null));

        Assert.Empty(Scrape.Samples(_registry, SocketMetrics.Listening));
        Assert.Empty(Scrape.Samples(_registry, SocketMetrics.ListenerInfo));
        Assert.Empty(Scrape.Samples(_registry, SocketMetrics.Exposed));
    }

    [Fact]
    public void A_listener_that_moves_replaces_its_info_series()
    {
        _writer.Write(Snapshot([Web], new SocketEvidence([new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 1)]), null));
        _writer.Write(Snapshot([Web], new SocketEvidence([new Listener(TransportProtocol.Tcp, IPAddress.Loopback, 8080, 2)]), null));

        Assert.Equal(
            ["""port_listener_info{service="web",port="8080",protocol="tcp",address="127.0.0.1",scope="loopback",process=""} 1"""],
            Scrape.Samples(_registry, SocketMetrics.ListenerInfo));
        Assert.Equal(["""port_exposed{service="web",port="8080",protocol="tcp"} 0"""], Scrape.Samples(_registry, SocketMetrics.Exposed));
    }

    [Fact]
    public void Every_metric_has_help_text()
    {
        _writer.Write(Snapshot([Web], new SocketEvidence([new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 1)]), null));

        foreach (var metric in new[] { SocketMetrics.Listening, SocketMetrics.ListenerInfo, SocketMetrics.Exposed })
        {
            Assert.True(Scrape.Help(_registry, metric)?.Length > $"# HELP {metric} ".Length + 20, metric);
        }
    }

    internal static EvidenceSnapshot Snapshot(
        IReadOnlyList<PortSpec> ports, SocketEvidence? sockets, IReadOnlyDictionary<ulong, ProcessInfo>? owners, ProcessEvidence? processes = null)
    {
        var config = ExporterConfig.AutoDiscover with { SourcePath = "test.yml", Ports = ports };
        processes ??= owners is null
            ? null
            : new ProcessEvidence(owners, new Dictionary<string, bool>(), new Dictionary<string, UnitState>(), false, 0);
        return new EvidenceSnapshot(DateTimeOffset.UnixEpoch, config, ports, new Dictionary<string, CollectorStatus>(), sockets, processes);
    }
}
