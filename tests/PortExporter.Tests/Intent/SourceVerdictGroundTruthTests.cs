using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Core.Network;
using PortExporter.Firewall;
using PortExporter.Firewall.Evaluation;
using PortExporter.Tests.Firewall;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Intent;

/// <summary>
/// The per-source connections against real traffic. A server namespace with an outside link (the default routes,
/// IPv4 and IPv6) and an internal link, a real nftables allowlist and real listeners; an outside namespace holding
/// the addresses of the from: ranges and the outside default, an inside namespace holding a client of the internal
/// network. The planner picks the connections from the host network as read from procfs, the evaluator gives
/// verdicts on the live ruleset as read by the exporter's reader; then each connection is really made from its
/// source address and the verdicts must match what happened. Needs root; never touches the host's own network.
/// </summary>
public sealed class SourceVerdictGroundTruthTests
{
    private const string Rules = """
        flush ruleset
        table inet filter {
            chain input {
                type filter hook input priority 0; policy drop;
                iif "lo" accept
                ct state established,related accept
                meta nfproto ipv6 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                ip saddr 198.51.100.0/25 tcp dport 8080 accept
                ip6 saddr 2001:db8:aa::/48 tcp dport 8080 accept
                iifname "eth1" tcp dport 8080 accept
            }
        }
        """;

    [Fact]
    public async Task Each_intended_source_gets_the_verdict_real_connections_get()
    {
        using var server = new Netns("intent2srv");
        using var outside = new Netns("intent2out");
        using var inside = new Netns("intent2in");
        foreach (var ns in (Netns[])[server, outside, inside])
        {
            ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0");
        }

        server.Link("eth0", "10.77.0.1/24", outside, "eth0", "10.77.0.2/24");
        server.Link("eth1", "10.88.0.1/24", inside, "eth0", "10.88.0.2/24");
        server.Exec("ip", "-6", "addr", "add", "2001:db8:77::1/64", "dev", "eth0", "nodad");
        server.Exec("ip", "route", "add", "default", "via", "10.77.0.2");
        server.Exec("ip", "-6", "route", "add", "default", "via", "2001:db8:77::2");
        outside.Exec("ip", "-6", "addr", "add", "2001:db8:77::2/64", "dev", "eth0", "nodad");
        foreach (var address in (string[])["203.0.113.1/32", "198.51.100.1/32", "198.51.100.254/32"])
        {
            outside.Exec("ip", "addr", "add", address, "dev", "eth0");
        }

        inside.Exec("ip", "addr", "add", "10.88.0.254/32", "dev", "eth0");
        foreach (var address in (string[])["2001:db8:aa::1/128", "2001:db8:aa:ffff:ffff:ffff:ffff:ffff/128"])
        {
            outside.Exec("ip", "-6", "addr", "add", address, "dev", "eth0", "nodad");
        }

        using var listeners = new GroundTruthServer();
        listeners.Listen(server.Name, TransportProtocol.Tcp, 8080);
        using (var dir = new TempDir())
        {
            server.Exec("nft", "-f", dir.File("rules.nft", Rules));
        }

        var inNamespace = server.Start("sleep", "600");
        InNamespace(inNamespace.Id, server);
        var network = HostNetworkReader.Read(new HostPaths($"/proc/{inNamespace.Id}", $"/proc/{inNamespace.Id}/root/sys", "/"));
        var reader = new FirewallRulesetReader(new NetnsCommandRunner(server.Name), HostPaths.Default, TimeProvider.System);
        var evaluator = new FirewallEvaluator((await reader.ReadAsync(TimeSpan.FromSeconds(10), CancellationToken.None)).Ruleset);
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp)
        {
            From = [IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("2001:db8:aa::/48"), IPNetwork.Parse("10.88.0.0/24")],
        };

        var plan = ConnectionPlanner.Plan(port, null, network, null);

        // What each source must look like: the outside default dropped by the policy, the inside client on eth1
        // accepted, the partner range split by its /25 rule, the IPv6 range accepted at both ends, the internal
        // subnet as a range arriving on its own interface (both ends: the host's own 10.88.0.1 is skipped).
        var expected = new List<(string Source, SimulatedConnection Connection, Netns From, FirewallVerdict Verdict)>
        {
            ("outside", plan.Outside!, outside, FirewallVerdict.Drop),
            ("inside", plan.Inside.Connections.Single(), inside, FirewallVerdict.Accept),
        };
        string[] froms = ["198.51.100.0/24", "2001:db8:aa::/48", "10.88.0.0/24"];
        Netns[] clients = [outside, outside, inside];
        FirewallVerdict[][] verdicts = [[FirewallVerdict.Accept, FirewallVerdict.Drop], [FirewallVerdict.Accept, FirewallVerdict.Accept], [FirewallVerdict.Accept, FirewallVerdict.Accept]];
        Assert.Equal(froms, plan.From.Select(f => f.Source));
        for (var i = 0; i < froms.Length; i++)
        {
            Assert.Equal(2, plan.From[i].Connections.Count);
            expected.AddRange(plan.From[i].Connections.Select((c, end) => (froms[i], c, clients[i], verdicts[i][end])));
        }

        Assert.Equal(("10.88.0.2", "10.88.0.1", "eth1"), (plan.Inside.Connections[0].Source.ToString(), plan.Inside.Connections[0].Destination.ToString(), plan.Inside.Connections[0].Interface));
        Assert.Equal(["198.51.100.1", "198.51.100.254"], plan.From[0].Connections.Select(c => c.Source.ToString()));
        Assert.Equal(["2001:db8:aa::1", "2001:db8:aa:ffff:ffff:ffff:ffff:ffff"], plan.From[1].Connections.Select(c => c.Source.ToString()));
        Assert.Equal(["10.88.0.2", "10.88.0.254"], plan.From[2].Connections.Select(c => c.Source.ToString()));
        Assert.Equal(["eth0", "eth0", "eth0", "eth0", "eth1", "eth1"], plan.From.SelectMany(f => f.Connections).Select(c => c.Interface));

        var problems = new List<string>();
        foreach (var (source, connection, from, verdict) in expected)
        {
            var simulated = evaluator.Evaluate(connection, network.IsLocal).Decision;
            var (real, what) = await GroundTruthClient.TryAsync(from.Name, connection);
            if (real != simulated.Verdict || real != verdict)
            {
                problems.Add($"{source} ({connection}): REAL {real} ({what}), evaluator {simulated.Verdict} by {simulated.Rule}, expected {verdict}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>
    /// Waits until the process has entered the namespace and ip netns exec has exec'd the command: ip switches the
    /// namespace, then mounts the namespace's own /sys, then execs, so /proc/PID/net is the namespace's from the
    /// switch and /proc/PID/root/sys only once the command runs.
    /// </summary>
    internal static void InNamespace(int pid, Netns ns)
    {
        var expected = $"net:[{Shell.Run("stat", "-L", "-c", "%i", $"/run/netns/{ns.Name}").Stdout.Trim()}]";
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < Reliability.RunningExporter.EventBound)
        {
            if (Shell.RunAllowFailure("readlink", $"/proc/{pid}/ns/net").Stdout.Trim() == expected
                && File.ReadAllText($"/proc/{pid}/comm").Trim() != "ip")
            {
                return;
            }

            Thread.Sleep(50);
        }

        Assert.Fail($"process {pid} did not enter {ns.Name} and run its command within {Reliability.RunningExporter.EventBound.TotalSeconds} s");
    }
}
