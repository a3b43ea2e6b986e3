using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis.Rules;
using PortExporter.Core.Firewall;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Core.Network;
using PortExporter.Firewall;
using PortExporter.Tests.Firewall;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Intent;

/// <summary>
/// "Inside" against real interfaces and traffic: a server namespace with an outside link (the default route), two
/// internal networks (each a link to a namespace of its own clients) and a container bridge, <c>docker0</c>, with a
/// container namespace behind it on a veth, as Docker builds it. The host network is read as the exporter reads it
/// (procfs and sysfs of the namespace); the firewall admits the port from one internal network and the container
/// bridge only. The planner must simulate both internal networks and not the container; the collector's inside
/// verdict is the blocked network's, as real connections confirm; the internal promise is named broken.
/// </summary>
public sealed class InsideNetworksGroundTruthTests
{
    private const string Rules = """
        flush ruleset
        table inet filter {
            chain input {
                type filter hook input priority 0; policy drop;
                iif "lo" accept
                ct state established,related accept
                iifname "eth1" tcp dport 8080 accept
                iifname "docker0" tcp dport 8080 accept
            }
        }
        """;

    [Fact]
    public async Task Every_internal_network_is_inside_and_the_container_bridge_is_not()
    {
        using var server = new Netns("intent3srv");
        using var outside = new Netns("intent3out");
        using var lanA = new Netns("intent3la");
        using var lanB = new Netns("intent3lb");
        using var container = new Netns("intent3ct");
        server.Link("eth0", "10.77.0.1/24", outside, "eth0", "10.77.0.2/24");
        server.Link("eth1", "192.0.2.10/24", lanA, "eth0", "192.0.2.1/24");
        server.Link("eth2", "198.18.0.1/24", lanB, "eth0", "198.18.0.2/24");
        server.Exec("ip", "route", "add", "default", "via", "10.77.0.2");
        server.Exec("ip", "link", "add", "docker0", "type", "bridge");
        server.Exec("ip", "addr", "add", "172.17.0.1/16", "dev", "docker0");
        server.Exec("ip", "link", "set", "docker0", "up");
        server.Link("vethc0", "172.17.0.254/32", container, "eth0", "172.17.0.2/16");
        server.Exec("ip", "addr", "flush", "dev", "vethc0");
        server.Exec("ip", "link", "set", "vethc0", "master", "docker0");
        container.Exec("ip", "route", "add", "default", "via", "172.17.0.1");

        using var listeners = new GroundTruthServer();
        listeners.Listen(server.Name, TransportProtocol.Tcp, 8080);
        using (var dir = new TempDir())
        {
            server.Exec("nft", "-f", dir.File("rules.nft", Rules));
        }

        var inNamespace = server.Start("sleep", "600");
        SourceVerdictGroundTruthTests.InNamespace(inNamespace.Id, server);
        // The namespace's sysfs: ip netns exec mounts it for the process, seen through its root.
        var network = HostNetworkReader.Read(new HostPaths($"/proc/{inNamespace.Id}", $"/proc/{inNamespace.Id}/root/sys", "/"));

        Assert.Contains("veth", network.Interfaces.Single(i => i.Name == "docker0").Plumbing, StringComparison.Ordinal);
        Assert.Equal(["eth1 192.0.2.0/24", "eth2 198.18.0.0/24"], network.InternalNetworks(4).Select(n => $"{n.Interface.Name} {n.Subnet}"));

        var port = new PortSpec("db", 8080, TransportProtocol.Tcp) { Expose = PortExpose.Internal };
        var plan = ConnectionPlanner.Plan(port, null, network, null);
        Assert.Equal(["192.0.2.1 on eth1", "198.18.0.2 on eth2"], plan.Inside.Connections.Select(c => $"{c.Source} on {c.Interface}"));

        // Real connections: the first internal network gets through, the second is dropped, the container (not
        // inside) would get through.
        var lanAConnection = plan.Inside.Connections[0];
        var lanBConnection = plan.Inside.Connections[1];
        var containerConnection = lanAConnection with { Source = IPAddress.Parse("172.17.0.2"), Destination = IPAddress.Parse("172.17.0.1"), Interface = "docker0" };
        Assert.Equal(FirewallVerdict.Accept, (await GroundTruthClient.TryAsync(lanA.Name, lanAConnection)).Verdict);
        Assert.Equal(FirewallVerdict.Drop, (await GroundTruthClient.TryAsync(lanB.Name, lanBConnection)).Verdict);
        Assert.Equal(FirewallVerdict.Accept, (await GroundTruthClient.TryAsync(container.Name, containerConnection)).Verdict);

        var config = ExporterConfig.AutoDiscover with { SourcePath = "test.yml", Ports = [port] };
        using var collector = new FirewallCollector(new NetnsCommandRunner(server.Name), HostPaths.Default, TimeProvider.System, NullLogger<FirewallCollector>.Instance, new NftablesGenerationSignal());
        var context = new CollectionContext(config, HostPaths.Default, TimeProvider.System, DateTimeOffset.UtcNow.AddMinutes(1));
        var evidence = (await collector.CollectAsync(context, new HostFacts(network, null, null), config.Ports, CancellationToken.None))!;
        var result = evidence.Ports[port.Key];

        Assert.Equal((FirewallVerdict.Drop, "eth2"), (result.Inside.Verdict, result.InsideConnection!.Interface));
        Assert.Equal([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.18.0.2")], result.InsideAddresses);
        Assert.Contains("the rules tell the internal networks apart: 192.0.2.1 on eth1 accept, 198.18.0.2 on eth2 drop", result.Inside.Detail, StringComparison.Ordinal);

        var snapshot = new EvidenceSnapshot(DateTimeOffset.UtcNow, config, config.Ports, new Dictionary<string, CollectorStatus>(), Firewall: evidence);
        var outcome = new FirewallBlockedRule().Evaluate(port, snapshot);
        Assert.True(outcome.Holds);
        Assert.Contains("must be reachable from the internal networks: dropped by", outcome.Step.Observed, StringComparison.Ordinal);
        Assert.Contains("198.18.0.2 -> 198.18.0.1:8080", outcome.Step.Observed, StringComparison.Ordinal);
    }
}
