using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;
using PortExporter.Tests.Support;
using Prometheus;

using PortExporter.Tests.Collection;

namespace PortExporter.Tests.Sockets;

/// <summary>
/// The sockets and processes collectors against the live kernel: socat listeners in a fresh network namespace,
/// whose tables the exporter reads through <c>/proc/PID/net</c> of a process inside it (what <c>/proc/net</c>
/// is for a process in that namespace), while owners come from the one shared <c>/proc</c>.
/// </summary>
public sealed class SocketsLiveTests : IDisposable
{
    private readonly Netns _ns = new("sock");

    public void Dispose() => _ns.Dispose();

    [Fact]
    public async Task Sees_each_listener_with_its_scope_and_owner_and_notices_one_that_stops()
    {
        _ns.Exec("ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1");
        _ns.Exec("ip", "addr", "add", "10.201.0.1/24", "dev", "veth0");
        _ns.Exec("ip", "link", "set", "veth0", "up");
        _ns.Exec("ip", "link", "set", "veth1", "up");
        var wildcard = Listen(9001, false, "TCP4-LISTEN:9001,bind=0.0.0.0,fork,reuseaddr", "EXEC:cat");
        var loopback = Listen(9002, false, "TCP4-LISTEN:9002,bind=127.0.0.1,fork,reuseaddr", "EXEC:cat");
        var address = Listen(9003, false, "TCP4-LISTEN:9003,bind=10.201.0.1,fork,reuseaddr", "EXEC:cat");
        var v6Only = Listen(9004, false, "TCP6-LISTEN:9004,ipv6only=1,fork,reuseaddr", "EXEC:cat");
        var udp = Listen(9005, true, "-u", "UDP4-RECV:9005,bind=127.0.0.1", "OPEN:/dev/null");
        var config = ExporterConfig.AutoDiscover with
        {
            SourcePath = "live.yml",
            Ports =
            [
                new PortSpec("wild", 9001, TransportProtocol.Tcp, Process: "socat"),
                new PortSpec("local", 9002, TransportProtocol.Tcp),
                new PortSpec("addr", 9003, TransportProtocol.Tcp, Bind: IPAddress.Parse("10.201.0.1")),
                new PortSpec("six", 9004, TransportProtocol.Tcp),
                new PortSpec("dgram", 9005, TransportProtocol.Udp),
            ],
        };
        var collection = new EvidenceCollection(
            StubSources.With(
                sockets: new SocketCollector(NullLogger<SocketCollector>.Instance, $"/proc/{wildcard.Id}/net"),
                processes: new ProcessCollector(new ProcessCommandRunner(), NullLogger<ProcessCollector>.Instance)),
            StubSources.Only(CollectorNames.Sockets, CollectorNames.Processes),
            new WatchedPortResolver(),
            HostPaths.Default,
            TimeProvider.System,
            NullLogger<EvidenceCollection>.Instance);

        var snapshot = await collection.CollectAsync(config, DateTimeOffset.UtcNow.AddSeconds(30), CancellationToken.None);

        Assert.True(snapshot.CollectorSucceeded(CollectorNames.Sockets), snapshot.Collectors[CollectorNames.Sockets].Error);
        Assert.True(snapshot.CollectorSucceeded(CollectorNames.Processes), snapshot.Collectors[CollectorNames.Processes].Error);
        var sockets = snapshot.Sockets!;
        var owners = snapshot.Processes!.OwnersByInode;
        Assert.Equal(
            [
                $"tcp 0.0.0.0:9001 wildcard socat/{wildcard.Id}",
                $"tcp 127.0.0.1:9002 loopback socat/{loopback.Id}",
                $"tcp 10.201.0.1:9003 address socat/{address.Id}",
                $"tcp :::9004 wildcard socat/{v6Only.Id}",
                $"udp 127.0.0.1:9005 loopback socat/{udp.Id}",
            ],
            sockets.Listeners
                .OrderBy(l => l.Port)
                .Select(l => $"{l.Protocol.ToLabel()} {l.Address}:{l.Port} {l.Scope.ToLabel()} {owners[l.Inode].Comm}/{owners[l.Inode].Pid}"));
        Assert.True(snapshot.Processes.RunningByName["socat"]);

        var registry = Metrics.NewCustomRegistry();
        new SocketMetrics(Metrics.WithCustomRegistry(registry)).Write(snapshot);
        Assert.Equal(
            [
                """port_exposed{service="addr",port="9003",protocol="tcp"} 1""",
                """port_exposed{service="dgram",port="9005",protocol="udp"} 0""",
                """port_exposed{service="local",port="9002",protocol="tcp"} 0""",
                """port_exposed{service="six",port="9004",protocol="tcp"} 1""",
                """port_exposed{service="wild",port="9001",protocol="tcp"} 1""",
            ],
            Scrape.Samples(registry, SocketMetrics.Exposed));
        Assert.Contains(
            """port_listener_info{service="local",port="9002",protocol="tcp",address="127.0.0.1",scope="loopback",process="socat"} 1""",
            Scrape.Samples(registry, SocketMetrics.ListenerInfo));

        loopback.Kill();
        await loopback.WaitForExitAsync();
        var after = await collection.CollectAsync(config, DateTimeOffset.UtcNow.AddSeconds(30), CancellationToken.None);

        Assert.Empty(after.Sockets!.For(new PortKey(9002, TransportProtocol.Tcp)));
        Assert.Equal(4, after.Sockets.Listeners.Count);
        Assert.All(after.Sockets.Listeners, l => Assert.Equal("socat", after.Processes!.OwnersByInode[l.Inode].Comm));
        new SocketMetrics(Metrics.WithCustomRegistry(registry)).Write(after);
        Assert.Contains("""port_listening{service="local",port="9002",protocol="tcp"} 0""", Scrape.Samples(registry, SocketMetrics.Listening));
    }

    private Process Listen(int port, bool udp, params string[] socatArguments)
    {
        var process = _ns.Start(["socat", .. socatArguments]);
        _ns.WaitForListener(port, udp);
        return process;
    }
}
