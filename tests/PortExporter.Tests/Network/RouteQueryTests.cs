using System.Net;
using PortExporter.Core.Network;
using PortExporter.Firewall;
using PortExporter.Firewall.Evaluation;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Network;

/// <summary>
/// The kernel's route lookup (<see cref="RouteQuery"/>) asked in a test namespace, against what <c>ip route get</c>
/// answers there, and the routing gate of an outside connection (<see cref="KernelRouting"/>) over those answers.
/// </summary>
public sealed class RouteQueryTests
{
    private static readonly IPAddress Host = IPAddress.Parse("10.81.0.1");
    private static readonly IPAddress Outside = IPAddress.Parse("203.0.113.1");

    private static (Netns Ns, Netns Peer) Namespace()
    {
        var ns = new Netns("rq");
        var peer = new Netns("rqpeer");
        ns.Link("eth0", "10.81.0.1/24", peer, "eth0", "10.81.0.2/24");
        ns.Exec("ip", "route", "add", "default", "via", "10.81.0.2");
        return (ns, peer);
    }

    [Fact]
    public void A_packet_for_this_host_is_local_and_its_replies_leave_by_the_default_route()
    {
        var (ns, peer) = Namespace();
        using (ns)
        using (peer)
        using (var thread = new NetnsThread(ns))
        {
            var incoming = thread.Invoke(() => RouteQuery.Ask(Host, Outside, "eth0"));
            var back = thread.Invoke(() => RouteQuery.Ask(Outside, Host, null));

            Assert.Contains("local 10.81.0.1", ns.Exec("ip", "route", "get", "10.81.0.1", "from", "203.0.113.1", "iif", "eth0").Stdout, StringComparison.Ordinal);
            Assert.Equal(new RouteAnswer(0, 2, "lo"), incoming);
            Assert.Equal(new RouteAnswer(0, 1, "eth0"), back);
            Assert.False(incoming!.Refuses || back!.Refuses);
        }
    }

    [Theory]
    [InlineData("blackhole", 22, "blackhole", "Invalid argument")]
    [InlineData("unreachable", 113, "unreachable", "No route to host")]
    [InlineData("prohibit", 13, "prohibit", "Permission denied")]
    public void A_policy_rule_that_sends_the_replies_to_a_refusing_route_is_the_kernels_refusal(string type, int errno, string name, string ipSays)
    {
        var (ns, peer) = Namespace();
        using (ns)
        using (peer)
        using (var thread = new NetnsThread(ns))
        {
            ns.Exec("ip", "route", "add", type, "default", "table", "100");
            ns.Exec("ip", "rule", "add", "from", "10.81.0.1", "lookup", "100", "pref", "100");

            var back = thread.Invoke(() => RouteQuery.Ask(Outside, Host, null));

            Assert.Contains(ipSays, ns.ExecAllowFailure("ip", "route", "get", "203.0.113.1", "from", "10.81.0.1").Stderr, StringComparison.Ordinal);
            Assert.Equal(errno, back!.Errno);
            Assert.True(back.Refuses);
            Assert.Equal(name, back.Name);
            // The kernel's answer, for real: a client from the peer gets no answer either.
            ns.Start("socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo hi");
            ns.WaitForListener(8080);
            peer.AssertConnectTimesOut("10.81.0.1", 8080);
        }
    }

    [Fact]
    public void A_host_without_a_route_to_the_client_is_not_a_refusal()
    {
        var (ns, peer) = Namespace();
        using (ns)
        using (peer)
        using (var thread = new NetnsThread(ns))
        {
            ns.Exec("ip", "route", "del", "default");

            var back = thread.Invoke(() => RouteQuery.Ask(Outside, Host, null));

            Assert.Equal(101, back!.Errno); // ENETUNREACH: the simulated client is from no network this host routes
            Assert.False(back.Refuses);
        }
    }

    [Fact]
    public void A_from_range_is_gated_at_each_end_and_no_route_back_to_it_is_a_refusal()
    {
        var accept = new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.Nftables, "filter", "input", "policy accept");
        var first = IPAddress.Parse("198.51.100.1");
        var last = IPAddress.Parse("198.51.100.254");
        var connection = new SimulatedConnection(ConnectionOrigin.Outside, first, Host, "eth0", TransportProtocol.Tcp, 8080);
        var range = new PortExporter.Core.Firewall.SourceVerdict("198.51.100.0/24", accept, connection) { Addresses = [first, last] };
        RouteAnswer? Local(IPAddress destination, IPAddress source, string? iif) => new(0, 2, "lo");
        RouteAnswer? NoRouteTo(IPAddress client, IPAddress destination, IPAddress source, string? iif) =>
            iif is not null ? Local(destination, source, iif) : destination.Equals(client) ? new RouteAnswer(101, 0, null) : new RouteAnswer(0, 1, "eth0");

        // Only the range's far end has no route back: the verdict is that end's, with its connection.
        var farEnd = KernelRouting.GateRange(range, (d, s, iif) => NoRouteTo(last, d, s, iif));

        Assert.Equal((FirewallVerdict.Drop, "ip route get 198.51.100.254 from 10.81.0.1: no route"), (farEnd.Decision.Verdict, farEnd.Decision.Rule));
        Assert.Equal(last, farEnd.Connection!.Source);
        Assert.Contains("the host has no route to 198.51.100.254, not even a default one", farEnd.Decision.Detail, StringComparison.Ordinal);
        Assert.Same(range, KernelRouting.GateRange(range, (d, s, iif) => iif is null ? new RouteAnswer(0, 1, "eth0") : Local(d, s, iif)));
        // The outside client the exporter imagines is not promised a route: no route to it stays an accept.
        Assert.Same(accept, KernelRouting.Gate(accept, connection, (d, s, iif) => NoRouteTo(first, d, s, iif)));

        // Apply gates the ranges and the inside clients as it gates outside.
        var inside = connection with { Origin = ConnectionOrigin.Inside, Source = IPAddress.Parse("10.81.0.2") };
        var results = new Dictionary<PortExporter.Core.PortKey, PortExporter.Core.Firewall.FirewallPortResult>
        {
            [new(8080, TransportProtocol.Tcp)] = new(accept, accept, OutsideConnection: connection with { Source = Outside }) { InsideConnection = inside, From = [range] },
        };
        var gated = KernelRouting.Apply(results, (d, s, iif) => iif is null && (d.Equals(last) || d.Equals(inside.Source)) ? new RouteAnswer(22, 0, null) : iif is null ? new RouteAnswer(0, 1, "eth0") : Local(d, s, iif))[new(8080, TransportProtocol.Tcp)];

        Assert.Same(accept, gated.Outside);
        Assert.Equal("ip route get 10.81.0.2 from 10.81.0.1: blackhole", gated.Inside.Rule);
        Assert.Equal("ip route get 198.51.100.254 from 10.81.0.1: blackhole", Assert.Single(gated.From).Decision.Rule);
    }

    [Fact]
    public void A_from_range_the_host_cannot_answer_is_blocked_by_its_routing_until_it_can()
    {
        var (ns, peer) = Namespace();
        using (ns)
        using (peer)
        using (var dir = new TempDir())
        {
            var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n    from: [198.51.100.0/24]\n");
            peer.Exec("ip", "addr", "add", "198.51.100.7/32", "dev", "lo");
            peer.Exec("ip", "addr", "add", "198.51.100.200/32", "dev", "lo");
            ns.Start("socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo hi");
            ns.WaitForListener(8080);
            // The default route is gone and no other covers the range: its clients' SYNs arrive, no SYN-ACK leaves.
            ns.Exec("ip", "route", "del", "default");
            peer.AssertConnectTimesOut("10.81.0.1", 8080, from: "198.51.100.7");

            var lost = ExporterBinary.Diagnose(ns, config, "web");
            Assert.Equal("firewall_blocked", lost.GetProperty("cause").GetString());
            Assert.Contains("the host has no route to 198.51.100.1, not even a default one", lost.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("Give the host a route back to 198.51.100.0/24: ip route add 198.51.100.0/24 via <the gateway on eth0> dev eth0", lost.GetProperty("fix").GetString(), StringComparison.Ordinal);

            // Routed again, but half the range into a blackhole: the clients there time out, and the verdict names that end.
            ns.Exec("ip", "route", "add", "198.51.100.0/24", "via", "10.81.0.2");
            ns.Exec("ip", "route", "add", "blackhole", "198.51.100.128/25");
            peer.AssertConnectTimesOut("10.81.0.1", 8080, from: "198.51.100.200");
            Assert.Equal("hi", peer.Exec("socat", "-T", "5", "-", "TCP4:10.81.0.1:8080,connect-timeout=5,bind=198.51.100.7").Stdout.Trim());
            var half = ExporterBinary.Diagnose(ns, config, "web");
            Assert.Equal("firewall_blocked", half.GetProperty("cause").GetString());
            Assert.Contains("the replies from 10.81.0.1 to 198.51.100.254 have no way back", half.GetProperty("summary").GetString(), StringComparison.Ordinal);

            ns.Exec("ip", "route", "del", "blackhole", "198.51.100.128/25");
            Assert.Equal("hi", peer.Exec("socat", "-T", "5", "-", "TCP4:10.81.0.1:8080,connect-timeout=5,bind=198.51.100.200").Stdout.Trim());
            Assert.Equal("ok", ExporterBinary.Diagnose(ns, config, "web").GetProperty("cause").GetString());
        }
    }

    [Fact]
    public void A_port_whose_replies_a_policy_rule_blackholes_is_blocked_by_the_kernels_routing_and_ok_once_the_rule_is_gone()
    {
        var (ns, peer) = Namespace();
        using (ns)
        using (peer)
        using (var dir = new TempDir())
        {
            var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");
            ns.Start("socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo hi");
            ns.WaitForListener(8080);
            // Replies from the host's address go by table 100, which has nowhere to send them: the rules and the
            // listener are fine, and no client outside gets an answer.
            ns.Exec("ip", "route", "add", "blackhole", "default", "table", "100");
            ns.Exec("ip", "rule", "add", "from", "10.81.0.1", "lookup", "100", "pref", "100");
            peer.AssertConnectTimesOut("10.81.0.1", 8080);

            var blocked = ExporterBinary.Diagnose(ns, config, "web");
            Assert.Equal("firewall_blocked", blocked.GetProperty("cause").GetString());
            Assert.Contains("The kernel (routing) drops new connections from outside", blocked.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.Contains("the replies from 10.81.0.1 to 203.0.113.1 have no way back", blocked.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("Find the route or policy rule that refuses it (ip route get 203.0.113.1 from 10.81.0.1", blocked.GetProperty("fix").GetString(), StringComparison.Ordinal);

            ns.Exec("ip", "rule", "del", "pref", "100");
            Assert.Equal("hi", peer.Exec("socat", "-T", "5", "-", "TCP4:10.81.0.1:8080,connect-timeout=5").Stdout.Trim());
            Assert.Equal("ok", ExporterBinary.Diagnose(ns, config, "web").GetProperty("cause").GetString());
        }
    }

    [Fact]
    public void An_accepted_outside_connection_is_dropped_only_where_the_kernel_refuses_its_way_in_or_back()
    {
        var connection = new SimulatedConnection(ConnectionOrigin.Outside, Outside, Host, "eth0", TransportProtocol.Tcp, 8080);
        var accept = new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.Nftables, "filter", "input", "policy accept");
        RouteAnswer? Fine(IPAddress destination, IPAddress source, string? iif) => new(0, iif is null ? (byte)1 : (byte)2, iif is null ? "eth0" : "lo");

        Assert.Same(accept, KernelRouting.Gate(accept, connection, Fine));
        var refusedBack = KernelRouting.Gate(accept, connection, (d, s, iif) => iif is null ? new RouteAnswer(22, 0, null) : Fine(d, s, iif));
        Assert.Equal((FirewallVerdict.Drop, KernelRouting.VerdictBackend, "ip route get 203.0.113.1 from 10.81.0.1: blackhole"), (refusedBack.Verdict, refusedBack.Backend, refusedBack.Rule));
        Assert.Contains("the replies from 10.81.0.1 to 203.0.113.1 have no way back", refusedBack.Detail, StringComparison.Ordinal);
        var refusedIn = KernelRouting.Gate(accept, connection, (d, s, iif) => iif is null ? Fine(d, s, iif) : new RouteAnswer(18, 0, null));
        Assert.Equal("ip route get 10.81.0.1 from 203.0.113.1 iif eth0: reverse path filter", refusedIn.Rule);
        // No route at all, a verdict the rules already made, or no answer: as it was.
        Assert.Same(accept, KernelRouting.Gate(accept, connection, (_, _, _) => new RouteAnswer(101, 0, null)));
        Assert.Same(accept, KernelRouting.Gate(accept, connection, (_, _, _) => null));
        var drop = accept with { Verdict = FirewallVerdict.Drop };
        Assert.Same(drop, KernelRouting.Gate(drop, connection, (_, _, _) => new RouteAnswer(22, 0, null)));
    }

    [Fact]
    public void Ports_on_the_same_address_ask_the_kernel_each_question_once()
    {
        var accept = new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.Nftables, "filter", "input", "policy accept");
        var results = Enumerable.Range(8080, 20).ToDictionary(
            port => new PortExporter.Core.PortKey(port, TransportProtocol.Tcp),
            port => new PortExporter.Core.Firewall.FirewallPortResult(accept, accept, OutsideConnection: new SimulatedConnection(ConnectionOrigin.Outside, Outside, Host, "eth0", TransportProtocol.Tcp, port)));
        var asked = 0;

        var gated = KernelRouting.Apply(results, (_, _, iif) => { asked++; return iif is null ? new RouteAnswer(113, 0, null) : new RouteAnswer(0, 2, "lo"); });

        Assert.Equal(2, asked);
        Assert.All(gated.Values, r => Assert.Equal("ip route get 203.0.113.1 from 10.81.0.1: unreachable", r.Outside.Rule));
    }

    [Fact]
    public void Replies_routed_out_of_another_interface_than_the_connection_came_in_on_are_named_until_policy_routing_sends_them_back()
    {
        // A second uplink: the service's address is on eth1, the default route leaves by eth0 (the kernel's own answer,
        // asked in the namespace), so an outside client's replies take the other way; a policy rule for the address
        // brings them back to eth1.
        var (ns, peer) = Namespace();
        using (ns)
        using (peer)
        using (var second = new Netns("rqisp2"))
        using (var thread = new NetnsThread(ns))
        {
            ns.Link("eth1", "10.82.0.1/24", second, "eth0", "10.82.0.2/24");
            var secondAddress = IPAddress.Parse("10.82.0.1");
            var accept = new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.Nftables, "filter", "input", "policy accept");
            var viaSecond = new SimulatedConnection(ConnectionOrigin.Outside, Outside, secondAddress, "eth1", TransportProtocol.Tcp, 8080);
            var results = new Dictionary<PortExporter.Core.PortKey, PortExporter.Core.Firewall.FirewallPortResult>
            {
                [new(8080, TransportProtocol.Tcp)] = new(accept, accept, OutsideConnection: viaSecond),
                [new(9090, TransportProtocol.Tcp)] = new(accept, accept, OutsideConnection: viaSecond with { Destination = Host, Interface = "eth0", Port = 9090 }),
            };

            var asymmetric = thread.Invoke(() => KernelRouting.Apply(new(results), RouteQuery.Ask));

            Assert.Contains("dev eth0", ns.Exec("ip", "route", "get", "203.0.113.1", "from", "10.82.0.1").Stdout, StringComparison.Ordinal);
            Assert.Equal("eth0", asymmetric[new(8080, TransportProtocol.Tcp)].ReplyInterface);
            Assert.Same(accept, asymmetric[new(8080, TransportProtocol.Tcp)].Outside);
            Assert.Null(asymmetric[new(9090, TransportProtocol.Tcp)].ReplyInterface);

            ns.Exec("ip", "route", "add", "default", "via", "10.82.0.2", "dev", "eth1", "table", "100");
            ns.Exec("ip", "rule", "add", "from", "10.82.0.1", "lookup", "100", "pref", "100");
            var symmetric = thread.Invoke(() => KernelRouting.Apply(new(results), RouteQuery.Ask));

            Assert.Null(symmetric[new(8080, TransportProtocol.Tcp)].ReplyInterface);
            // A verdict that is no accept has no replies to route.
            var dropped = accept with { Verdict = FirewallVerdict.Drop };
            Assert.Null(KernelRouting.ReplyElsewhere(dropped, viaSecond, (_, _, _) => new RouteAnswer(0, 1, "eth0")));
        }
    }
}
