using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Backend;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using PortExporter.Tests.Collection;
using PortExporter.Tests.Sockets;
using PortExporter.Tests.Support;
using Prometheus;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Backend;

/// <summary>The backend collector on a captured procfs tree (fixtures/README.md): the search, the collection stage, the series.</summary>
public sealed class BackendFixtureTests : IDisposable
{
    private readonly TempDir _procfs = new();

    public BackendFixtureTests()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Backend", "fixtures", "procfs");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_procfs.Path, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        foreach (var fds in Directory.EnumerateFiles(_procfs.Path, "fds", SearchOption.AllDirectories))
        {
            var directory = Path.Combine(Path.GetDirectoryName(fds)!, "fd");
            Directory.CreateDirectory(directory);
            foreach (var line in File.ReadAllLines(fds))
            {
                var parts = line.Split(' ', 2);
                File.CreateSymbolicLink(Path.Combine(directory, parts[0]), parts[1]);
            }
        }
    }

    private static BackendCollector Collector => new(NullLogger<BackendCollector>.Instance);

    // The host's own namespace (pid 1's, the capture's 10.77.0.1) is one of them: a REDIRECT, or a DNAT to one of its
    // addresses, is served there.
    public static TheoryData<string, int, BackendStatus, string?, int?> Targets => new()
    {
        { "172.31.0.2", 80, BackendStatus.Listening, null, 42 },
        { "fd00:31::2", 80, BackendStatus.NotListening, "bound on 0.0.0.0:80 only, not on [fd00:31::2]:80", null },
        { "172.31.0.2", 81, BackendStatus.NotListening, "bound on 127.0.0.1:81 only, not on 172.31.0.2:81", null },
        { "172.31.0.2", 82, BackendStatus.NotListening, null, null },
        { "172.31.0.9", 80, BackendStatus.NamespaceNotFound, "no network namespace on this host owns 172.31.0.9 (2 namespaces of 2 processes looked at): another host, or a namespace without a process", null },
        { "10.77.0.1", 8080, BackendStatus.Listening, null, 1 },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_namespace_that_owns_the_target_is_read_and_its_listeners_matched(string address, int port, BackendStatus status, string? detail, int? pid)
    {
        var target = new BackendTarget(IPAddress.Parse(address), port, TransportProtocol.Tcp);

        var evidence = Collector.Search(_procfs.Path, [target], TimeProvider.System, CancellationToken.None);

        var result = Assert.Single(evidence.Backends);
        Assert.Equal(status, result.Status);
        Assert.Equal(2, evidence.ProcessesScanned);
        if (detail is not null)
        {
            Assert.Equal(detail, result.Detail);
        }

        if (status == BackendStatus.Listening)
        {
            Assert.Equal(pid, result.Namespace!.Process.Pid);
            Assert.Equal("socat", result.Namespace.Process.Comm);
            var listener = Assert.Single(result.Listeners);
            Assert.Equal("socat", result.Owners[listener.Inode].Comm);
        }
    }

    [Fact]
    public void Each_namespace_is_read_once_for_all_targets()
    {
        var targets = new[] { new BackendTarget(IPAddress.Parse("172.31.0.2"), 80, TransportProtocol.Tcp), new BackendTarget(IPAddress.Parse("172.31.0.2"), 81, TransportProtocol.Tcp) };

        var evidence = Collector.Search(_procfs.Path, targets, TimeProvider.System, CancellationToken.None);

        Assert.Equal(2, evidence.NamespacesScanned);
        Assert.Equal([BackendStatus.Listening, BackendStatus.NotListening], evidence.Backends.Select(b => b.Status));
    }

    [Fact]
    public async Task The_collection_searches_the_backends_of_forwarded_ports_after_the_firewall_and_the_series_follow()
    {
        var forwarded = Accept with { ForwardedTo = new IPEndPoint(IPAddress.Parse("172.31.0.2"), 81) };
        var sources = StubSources.With(
            network: new StubHostFact<Core.Network.HostNetwork>(CollectorNames.Network, (_, _) => Task.FromResult(NetworkOf())),
            sockets: new StubHostFact<Core.Sockets.SocketEvidence>(CollectorNames.Sockets, (_, _) => Task.FromResult(Healthy().Sockets!)),
            firewall: new StubPortEvidence<Core.Firewall.FirewallEvidence>(CollectorNames.Firewall, (_, _, _) => Task.FromResult<Core.Firewall.FirewallEvidence?>(FirewallOf(forwarded)))) with { Backends = Collector };
        var collection = new EvidenceCollection(
            sources,
            StubSources.Only(CollectorNames.Network, CollectorNames.Sockets, CollectorNames.Firewall, CollectorNames.Backends),
            new WatchedPortResolver(),
            new HostPaths(_procfs.Path, "/sys", "/"),
            TimeProvider.System,
            NullLogger<EvidenceCollection>.Instance);

        var snapshot = await collection.CollectAsync(Config, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.True(snapshot.CollectorSucceeded(CollectorNames.Backends));
        var backend = Assert.Single(snapshot.Backends!.Backends);
        Assert.Equal(BackendStatus.NotListening, backend.Status);
        var registry = Metrics.NewCustomRegistry();
        new BackendMetrics(Metrics.WithCustomRegistry(registry)).Write(snapshot);
        Assert.Equal(["""port_backend_listening{service="web",port="8080",protocol="tcp",backend="172.31.0.2:81"} 0"""], Scrape.Samples(registry, BackendMetrics.Listening));
        Assert.Empty(Scrape.Samples(registry, BackendMetrics.ListenerInfo));
    }

    [Fact]
    public void A_listening_backend_has_one_info_series_per_listener_with_its_process()
    {
        var target = new BackendTarget(IPAddress.Parse("172.31.0.2"), 80, TransportProtocol.Tcp);
        var evidence = Collector.Search(_procfs.Path, [target], TimeProvider.System, CancellationToken.None);
        var snapshot = Healthy() with { Firewall = FirewallOf(Accept with { ForwardedTo = new IPEndPoint(target.Address, 80) }), Backends = evidence };
        var registry = Metrics.NewCustomRegistry();

        new BackendMetrics(Metrics.WithCustomRegistry(registry)).Write(snapshot);

        Assert.Equal(["""port_backend_listening{service="web",port="8080",protocol="tcp",backend="172.31.0.2:80"} 1"""], Scrape.Samples(registry, BackendMetrics.Listening));
        Assert.Equal(["""port_backend_listener_info{service="web",port="8080",protocol="tcp",backend="172.31.0.2:80",address="0.0.0.0",scope="wildcard",process="socat"} 1"""], Scrape.Samples(registry, BackendMetrics.ListenerInfo));
    }

    public void Dispose() => _procfs.Dispose();
}
