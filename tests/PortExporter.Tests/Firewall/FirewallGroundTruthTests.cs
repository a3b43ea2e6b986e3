using System.Net;
using PortExporter.Core;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Firewall.Evaluation;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// The test that proves the simulator. For each fixture: a server namespace gets the fixture's ruleset and real
/// listeners; an outside client namespace (source 203.0.113.1 / 2001:db8::1) is linked to it by a veth. The
/// exporter's own reader reads the live ruleset with the real tools, the planner picks the connections, the
/// evaluator gives verdicts; then the client really connects (and the server connects to itself over loopback)
/// and the verdicts must match what happened. The saved dumps must give the same verdicts as the live ones.
/// Needs root; never touches the host's own network.
/// </summary>
public sealed class FirewallGroundTruthTests
{
    public static IEnumerable<object[]> Fixtures() => FirewallFixture.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Verdicts_match_real_connections(string fixture)
    {
        using var server = new Netns("fws");
        using var client = new Netns("fwc");
        foreach (var ns in (Netns[])[server, client])
        {
            // No duplicate address detection (addresses usable at once); no ICMP rate limit (every reject answered).
            ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0");
        }

        server.Link("eth0", "10.77.0.1/24", client, "eth0", "10.77.0.2/24");
        server.Exec("ip", "-6", "addr", "add", "2001:db8:77::1/64", "dev", "eth0", "nodad");
        server.Exec("ip", "route", "add", "default", "via", "10.77.0.2");
        server.Exec("ip", "-6", "route", "add", "default", "via", "2001:db8:77::2");
        client.Exec("ip", "addr", "add", "203.0.113.1/32", "dev", "eth0");
        client.Exec("ip", "-6", "addr", "add", "2001:db8:77::2/64", "dev", "eth0", "nodad");
        client.Exec("ip", "-6", "addr", "add", "2001:db8::1/128", "dev", "eth0", "nodad");

        // Warm up neighbour discovery both ways before any rule exists: a closed port answers with a reset.
        foreach (var address in (string[])["10.77.0.1", "2001:db8:77::1"])
        {
            var source = IPAddress.Parse(address.Contains(':', StringComparison.Ordinal) ? "2001:db8::1" : "203.0.113.1");
            var warmUp = new SimulatedConnection(ConnectionOrigin.Outside, source, IPAddress.Parse(address), "eth0", TransportProtocol.Tcp, 9);
            var (verdict, what) = await GroundTruthClient.TryAsync(client.Name, warmUp);
            Assert.True(verdict == FirewallVerdict.Reject, $"warm-up to {address}:9 gave {what}");
        }
        using var containers = new ContainerNamespaces();
        foreach (var container in FirewallFixture.Containers(fixture))
        {
            containers.Add(server, container);
        }

        server.Exec("sh", "-eu", Path.Combine(FirewallFixture.Root, fixture, "setup.sh"));

        var cases = FirewallFixture.Cases(fixture);
        using var listeners = new GroundTruthServer();
        foreach (var (protocol, port) in cases.Select(c => (c.Protocol, c.Port)).Concat(FirewallFixture.ExtraListeners(fixture)).Distinct())
        {
            listeners.Listen(server.Name, protocol, port);
        }

        foreach (var (ns, port) in containers.Listeners)
        {
            listeners.Listen(ns, TransportProtocol.Tcp, port);
        }

        // A process inside the server namespace, so its /proc/PID/net shows that namespace's routes and addresses.
        var inNamespace = server.Start("sleep", "600");

        // The exporter's own reader, on the live namespace, through the allowlisted commands.
        var reader = new FirewallRulesetReader(new NetnsCommandRunner(server.Name), HostPaths.Default, TimeProvider.System);
        var snapshot = await reader.ReadAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        var network = HostNetworkReader.Read(new HostPaths($"/proc/{inNamespace.Id}", $"/proc/{inNamespace.Id}/root/sys", "/"));
        Assert.Equal("eth0", network.DefaultInterfaceV4);
        Assert.Equal("eth0", network.DefaultInterfaceV6);
        var live = new FirewallEvaluator(snapshot.Ruleset);
        var saved = new FirewallEvaluator(FirewallFixture.Ruleset(fixture).Ruleset);

        var checks = cases.Select(async c =>
        {
            var plan = ConnectionPlanner.Plan(c.Spec, null, network, null);
            Assert.NotNull(plan.Outside);
            var results = new List<string>();
            // "Inside" is never a container behind the server's bridge (container plumbing): with no other internal
            // network it is the server itself over loopback.
            var inside = Assert.Single(plan.Inside.Connections);
            Assert.Equal("lo", inside.Interface);
            foreach (var (connection, expected, from) in (IEnumerable<(SimulatedConnection, FirewallVerdict, string)>)[(plan.Outside!, c.Outside, client.Name), (inside, c.Inside, server.Name)])
            {
                var simulated = live.Evaluate(connection, network.IsLocal, network.EgressInterface).Decision;
                var fromDump = saved.Evaluate(connection, network.IsLocal, network.EgressInterface).Decision;
                var label = $"{c} {connection.Origin.ToLabel()} ({connection})";
                if (fromDump.Verdict != simulated.Verdict)
                {
                    results.Add($"{label}: saved dump says {fromDump.Verdict}, live ruleset {simulated.Verdict} (recapture the fixture)");
                }

                if (expected == FirewallVerdict.Unknown)
                {
                    if (simulated.Verdict != FirewallVerdict.Unknown)
                    {
                        results.Add($"{label}: expected unknown, evaluator said {simulated}");
                    }

                    continue;
                }

                var (real, output) = await GroundTruthClient.TryAsync(from, connection);
                if (real != simulated.Verdict)
                {
                    results.Add($"{label}: REAL {real} ({output}) but evaluator said {simulated.Verdict} by {simulated.Table}/{simulated.Chain} {simulated.Rule} {simulated.Detail} {simulated.Path}");
                }

                if (real != expected)
                {
                    results.Add($"{label}: REAL {real} but cases.txt says {expected}");
                }
            }

            return results;
        }).ToList();
        var problems = (await Task.WhenAll(checks)).SelectMany(r => r).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>
    /// Containers behind a bridge of the server, as Docker builds them: the bridge holds the host's gateway address,
    /// each container namespace is plugged into it by a veth, routes by default through the gateway, and the server
    /// forwards IPv4. Deleted with the test.
    /// </summary>
    private sealed class ContainerNamespaces : IDisposable
    {
        private readonly List<Netns> _namespaces = [];
        private readonly HashSet<string> _bridges = new(StringComparer.Ordinal);

        public List<(string Namespace, int Port)> Listeners { get; } = [];

        public void Add(Netns server, FixtureContainer container)
        {
            if (_bridges.Add(container.Bridge))
            {
                server.Exec("ip", "link", "add", container.Bridge, "type", "bridge");
                server.Exec("ip", "addr", "add", $"{container.GatewayAddress}/{container.Gateway.PrefixLength}", "dev", container.Bridge);
                server.Exec("ip", "link", "set", container.Bridge, "up");
                server.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            }

            var ns = new Netns("fwk");
            _namespaces.Add(ns);
            var host = $"v{Guid.NewGuid().ToString("N")[..8]}";
            var inside = $"v{Guid.NewGuid().ToString("N")[..8]}";
            Shell.Run("ip", "link", "add", host, "type", "veth", "peer", "name", inside);
            Shell.Run("ip", "link", "set", host, "netns", server.Name);
            Shell.Run("ip", "link", "set", inside, "netns", ns.Name);
            server.Exec("ip", "link", "set", host, "master", container.Bridge, "up");
            ns.Exec("ip", "link", "set", inside, "name", "eth0");
            ns.Exec("ip", "addr", "add", container.Address, "dev", "eth0");
            ns.Exec("ip", "link", "set", "eth0", "up");
            ns.Exec("ip", "route", "add", "default", "via", container.GatewayAddress.ToString());
            Listeners.AddRange(container.Ports.Select(p => (ns.Name, p)));
        }

        public void Dispose()
        {
            foreach (var ns in _namespaces)
            {
                ns.Dispose();
            }
        }
    }
}
