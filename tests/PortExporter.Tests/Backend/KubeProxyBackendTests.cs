using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Backend;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Firewall;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Core.Metrics;
using PortExporter.Core.Network;
using PortExporter.Firewall.Evaluation;
using PortExporter.Tests.Firewall;
using PortExporter.Tests.Sockets;
using PortExporter.Tests.Support;
using Prometheus;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Backend;

/// <summary>
/// A NodePort of kube-proxy with two endpoints, one of them dead, for real: a node namespace with kube-proxy's
/// iptables rules (the kube-proxy-iptables fixture's setup.sh), two pod namespaces behind its bridge, an outside
/// client. The random choice of <c>KUBE-SVC-*</c> is followed both ways, so both endpoints are backends; the one whose
/// pod does not listen is not_listening, named, while the other listens, and real connections find both. Needs root.
/// </summary>
public sealed class KubeProxyBackendTests
{
    private const string Fixture = "kube-proxy-iptables";

    // The fixture's pod network 10.244.0.0/16 moved to one no other test's pods use: the backend search looks
    // through every namespace of this machine, and another test may hold pods at the fixture's own addresses.
    private const string PodNetwork = "10.214.";

    private static readonly IPEndPoint Live = new(IPAddress.Parse($"{PodNetwork}1.5"), 8080);
    private static readonly IPEndPoint Dead = new(IPAddress.Parse($"{PodNetwork}2.7"), 8080);

    [Fact]
    public async Task Every_endpoint_of_a_node_port_is_a_backend_and_the_dead_one_is_named()
    {
        using var node = new Netns("kube-node");
        using var client = new Netns("kube-cli");
        using var live = new Netns("kube-pod");
        using var dead = new Netns("kube-pod");
        node.Link("eth0", "10.77.0.1/24", client, "eth0", "10.77.0.2/24");
        node.Exec("ip", "route", "add", "default", "via", "10.77.0.2");
        client.Exec("ip", "addr", "add", "203.0.113.1/32", "dev", "eth0");
        node.Exec("ip", "link", "add", "cni0", "type", "bridge");
        node.Exec("ip", "addr", "add", $"{PodNetwork}0.1/16", "dev", "cni0");
        node.Exec("ip", "link", "set", "cni0", "up");
        node.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        Pod(node, live, Live.Address);
        Pod(node, dead, Dead.Address);
        var rules = Path.Combine(Path.GetTempPath(), $"kube-proxy-{Guid.NewGuid():N}.sh");
        File.WriteAllText(rules, FirewallFixture.Read(Fixture, "setup.sh").Replace("10.244.", PodNetwork, StringComparison.Ordinal));
        try
        {
            node.Exec("sh", "-eu", rules);
        }
        finally
        {
            File.Delete(rules);
        }

        // One pod serves 8080; the other holds its namespace and nothing listens in it.
        live.Start("socat", "TCP4-LISTEN:8080,reuseaddr,fork", "SYSTEM:true");
        live.WaitForListener(8080);
        dead.Start("sleep", "600");

        // The exporter's reader and evaluator on the live node: both ways of the random choice, accepted.
        var inNode = node.Start("sleep", "600");
        var reader = new FirewallRulesetReader(new NetnsCommandRunner(node.Name), HostPaths.Default, TimeProvider.System);
        var snapshot = await reader.ReadAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        var network = HostNetworkReader.Read(new HostPaths($"/proc/{inNode.Id}", "/sys", "/"));
        var outside = ConnectionPlanner.Plan(WebPort with { Port = 30080, Bind = null }, null, network, null).Outside!;
        var decision = new FirewallEvaluator(snapshot.Ruleset).Evaluate(outside, network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal(FirewallVerdict.Accept, decision.Verdict);
        Assert.Equal([Live, Dead], decision.ForwardTargets);

        // The backends: one listening, the other not; the diagnosis names the dead endpoint, the series show both.
        var firewall = FirewallOf(decision);
        var targets = BackendCollector.TargetsOf(firewall);
        Assert.Equal([Live, Dead], targets.Select(t => new IPEndPoint(t.Address, t.Port)));
        var backends = new BackendCollector(NullLogger<BackendCollector>.Instance).Search("/proc", targets, TimeProvider.System, CancellationToken.None);
        Assert.Equal([BackendStatus.Listening, BackendStatus.NotListening], backends.Backends.Select(b => b.Status));
        var evidence = Healthy() with { Firewall = firewall, Backends = backends };
        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);
        Assert.Equal(Cause.NotListening, diagnosis.Cause);
        Assert.Contains($"the backend {Dead}, where nothing listens", diagnosis.Summary, StringComparison.Ordinal);
        var registry = Metrics.NewCustomRegistry();
        new BackendMetrics(Metrics.WithCustomRegistry(registry)).Write(evidence);
        Assert.Equal(
            [$$"""port_backend_listening{service="web",port="8080",protocol="tcp",backend="{{Live}}"} 1""", $$"""port_backend_listening{service="web",port="8080",protocol="tcp",backend="{{Dead}}"} 0"""],
            Scrape.Samples(registry, BackendMetrics.Listening));

        // Real connections from outside reach both pods: some connect, the others are refused by the dead one
        // (each attempt is a new connection, sent to either at random: missing one way in 32 tries is 1 in 2^31).
        var outcomes = new HashSet<FirewallVerdict>();
        for (var attempt = 0; attempt < 32 && outcomes.Count < 2; attempt++)
        {
            outcomes.Add((await GroundTruthClient.TryAsync(client.Name, outside)).Verdict);
        }

        Assert.Equal([FirewallVerdict.Accept, FirewallVerdict.Reject], outcomes.Order());
    }

    /// <summary>A pod behind the node's bridge cni0: a veth on the bridge, its address, a default route through the bridge.</summary>
    private static void Pod(Netns node, Netns pod, IPAddress address)
    {
        var host = $"v{Guid.NewGuid().ToString("N")[..8]}";
        var inside = $"v{Guid.NewGuid().ToString("N")[..8]}";
        Shell.Run("ip", "link", "add", host, "type", "veth", "peer", "name", inside);
        Shell.Run("ip", "link", "set", host, "netns", node.Name);
        Shell.Run("ip", "link", "set", inside, "netns", pod.Name);
        node.Exec("ip", "link", "set", host, "master", "cni0", "up");
        pod.Exec("ip", "link", "set", inside, "name", "eth0");
        pod.Exec("ip", "addr", "add", $"{address}/16", "dev", "eth0");
        pod.Exec("ip", "link", "set", "eth0", "up");
        pod.Exec("ip", "route", "add", "default", "via", $"{PodNetwork}0.1");
    }
}
