using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Backend;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Firewall;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Core.Network;
using PortExporter.Firewall.Evaluation;
using PortExporter.Tests.Firewall;
using PortExporter.Tests.Support;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Backend;

/// <summary>
/// The backend behind a DNAT, found for real: a server namespace with a bridge, a "container" namespace behind it
/// (a veth on the bridge, a default route through the bridge's address) and, in the server, a DNAT of 8080 to the
/// container's port 80; an outside client namespace connects to the server. The exporter's reader and evaluator
/// follow the DNAT, the backend search finds the container by its address through /proc, and the diagnosis must
/// agree with a real connection: the backend listening is ok, the backend's process killed is not_listening on the
/// backend (the namespace stays, held by another process of the container). Needs root.
/// </summary>
public sealed class BackendNamespaceTests
{
    // An address unlikely to be held by another test's namespace on the same machine.
    private const string ContainerAddress = "172.31.213.2";
    private const string BridgeAddress = "172.31.213.1";

    [Fact]
    public async Task The_backend_behind_a_DNAT_is_found_in_its_namespace_and_its_listener_decides()
    {
        using var lab = new Lab();
        var (server, client, container) = (lab.Server, lab.Client, lab.Container);
        // The container: a process that holds its namespace, and the service that listens on port 80.
        container.Start("sleep", "600");
        var service = container.Start("socat", "TCP4-LISTEN:80,reuseaddr,fork", "SYSTEM:true");
        container.WaitForListener(80);

        // The exporter's reader and evaluator, on the live server namespace, follow the DNAT.
        var inServer = server.Start("sleep", "600");
        var reader = new FirewallRulesetReader(new NetnsCommandRunner(server.Name), HostPaths.Default, TimeProvider.System);
        var snapshot = await reader.ReadAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        var network = HostNetworkReader.Read(new HostPaths($"/proc/{inServer.Id}", "/sys", "/"));
        var plan = ConnectionPlanner.Plan(WebPort with { Bind = null }, null, network, null);
        var outside = plan.Outside!;
        var decision = new FirewallEvaluator(snapshot.Ruleset).Evaluate(outside, network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ContainerAddress), 80), decision.ForwardedTo);
        Assert.Equal(FirewallVerdict.Accept, decision.Verdict);
        var firewall = FirewallOf(decision);
        var targets = BackendCollector.TargetsOf(firewall);
        var collector = new BackendCollector(NullLogger<BackendCollector>.Instance);

        // Listening: found in the container's namespace, named with its process, and a real connection succeeds.
        var listening = collector.Search("/proc", targets, TimeProvider.System, CancellationToken.None);
        var found = Assert.Single(listening.Backends);
        Assert.True(found.Status == BackendStatus.Listening, $"{found.Status}: {found.Detail}");
        Assert.Equal(ContainerNamespaceLink(container), found.Namespace!.Link);
        Assert.Contains(found.Owners.Values, p => p.Comm == "socat");
        Assert.Equal(FirewallVerdict.Accept, (await GroundTruthClient.TryAsync(client.Name, outside)).Verdict);
        var ok = Diagnoser.Diagnose(WebPort, Healthy() with { Firewall = firewall, Backends = listening });
        Assert.True(ok.Cause == Cause.Ok, ok.Summary);

        // The service killed, the container still there: not_listening on the backend, and the connection is refused.
        service.Kill(entireProcessTree: true);
        await service.WaitForExitAsync();
        var dead = collector.Search("/proc", targets, TimeProvider.System, CancellationToken.None);
        var gone = Assert.Single(dead.Backends);
        Assert.True(gone.Status == BackendStatus.NotListening, $"{gone.Status}: {gone.Detail}");
        Assert.Equal(FirewallVerdict.Reject, (await GroundTruthClient.TryAsync(client.Name, outside)).Verdict);
        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Firewall = firewall, Backends = dead });
        Assert.Equal(Cause.NotListening, diagnosis.Cause);
        Assert.Contains($"the backend {ContainerAddress}:80, where nothing listens (in {gone.Namespace!.Describe()})", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("sleep pid", diagnosis.Fix, StringComparison.Ordinal);

        // An address no namespace on this host owns is missing evidence, not a cause.
        var elsewhere = collector.Search("/proc", [new BackendTarget(IPAddress.Parse("172.31.213.99"), 80, TransportProtocol.Tcp)], TimeProvider.System, CancellationToken.None);
        Assert.Equal(BackendStatus.NamespaceNotFound, Assert.Single(elsewhere.Backends).Status);
    }

    [Fact]
    public async Task With_forwarding_off_a_DNATed_connection_is_not_forwarded_and_the_sysctl_decides()
    {
        using var lab = new Lab();
        lab.Container.Start("socat", "TCP4-LISTEN:80,reuseaddr,fork", "SYSTEM:true");
        lab.Container.WaitForListener(80);
        lab.Server.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
        var inServer = lab.Server.Start("sleep", "600");
        var reader = new FirewallRulesetReader(new NetnsCommandRunner(lab.Server.Name), HostPaths.Default, TimeProvider.System);
        var evaluator = new FirewallEvaluator((await reader.ReadAsync(TimeSpan.FromSeconds(10), CancellationToken.None)).Ruleset);
        var network = HostNetworkReader.Read(new HostPaths($"/proc/{inServer.Id}", "/sys", "/"));
        var outside = ConnectionPlanner.Plan(WebPort with { Bind = null }, null, network, null).Outside!;
        var byRules = evaluator.Evaluate(outside, network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal(FirewallVerdict.Accept, byRules.Verdict);

        // The sysctls as the server's namespace shows them (/proc/sys/net is the reading thread's namespace).
        using var inNamespace = new NetnsThread(lab.Server);
        ForwardingSysctls? Read() => inNamespace.Invoke(() => ForwardingSysctls.Read("/proc/sys/net", network.Interfaces.Select(i => i.Name)));
        var off = Read();
        Assert.Equal((false, "net.ipv4.conf.eth0.forwarding"), off!.For("eth0", 4));
        var decision = ForwardingSysctls.Gate(byRules, outside, off);
        Assert.Equal(FirewallVerdict.Drop, decision.Verdict);
        Assert.Equal("net.ipv4.conf.eth0.forwarding = 0", decision.Rule);
        Assert.Equal($"prerouting -> dnat {ContainerAddress}:80 -> not forwarded (net.ipv4.conf.eth0.forwarding = 0)", decision.Path);
        var (real, what) = await GroundTruthClient.TryAsync(lab.Client.Name, outside);
        Assert.True(real == decision.Verdict, $"real connection: {what}");
        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Firewall = FirewallOf(decision) });
        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains("net.ipv4.conf.eth0.forwarding = 0", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("sysctl -w net.ipv4.conf.eth0.forwarding=1", diagnosis.Fix, StringComparison.Ordinal);

        // Forwarding on again: the rules decide, and the connection goes through.
        lab.Server.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        var on = Read();
        Assert.False(on!.SameAs(off));
        Assert.Same(byRules, ForwardingSysctls.Gate(byRules, outside, on));
        Assert.Equal(FirewallVerdict.Accept, (await GroundTruthClient.TryAsync(lab.Client.Name, outside)).Verdict);
    }

    /// <summary>The server, the outside client and the container behind the server's bridge, with the DNAT; deleted with the test.</summary>
    private sealed class Lab : IDisposable
    {
        public Lab()
        {
            Server = new Netns("be-srv");
            Client = new Netns("be-cli");
            Container = new Netns("be-ctr");
            Server.Link("eth0", "10.77.0.1/24", Client, "eth0", "10.77.0.2/24");
            Server.Exec("ip", "route", "add", "default", "via", "10.77.0.2");
            Client.Exec("ip", "addr", "add", "203.0.113.1/32", "dev", "eth0");
            Server.Exec("ip", "link", "add", "br0", "type", "bridge");
            Server.Exec("ip", "addr", "add", $"{BridgeAddress}/24", "dev", "br0");
            Server.Exec("ip", "link", "set", "br0", "up");
            Server.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            var host = $"v{Guid.NewGuid().ToString("N")[..8]}";
            var inside = $"v{Guid.NewGuid().ToString("N")[..8]}";
            Shell.Run("ip", "link", "add", host, "type", "veth", "peer", "name", inside);
            Shell.Run("ip", "link", "set", host, "netns", Server.Name);
            Shell.Run("ip", "link", "set", inside, "netns", Container.Name);
            Server.Exec("ip", "link", "set", host, "master", "br0", "up");
            Container.Exec("ip", "link", "set", inside, "name", "eth0");
            Container.Exec("ip", "addr", "add", $"{ContainerAddress}/24", "dev", "eth0");
            Container.Exec("ip", "link", "set", "eth0", "up");
            Container.Exec("ip", "route", "add", "default", "via", BridgeAddress);
            Server.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", $"{ContainerAddress}:80");
        }

        public Netns Server { get; }

        public Netns Client { get; }

        public Netns Container { get; }

        public void Dispose()
        {
            Container.Dispose();
            Client.Dispose();
            Server.Dispose();
        }
    }

    private static string ContainerNamespaceLink(Netns container)
    {
        var pid = Shell.Run("ip", "netns", "pids", container.Name).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim();
        return new FileInfo($"/proc/{pid}/ns/net").LinkTarget!;
    }
}
