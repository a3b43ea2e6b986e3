using System.Net;
using PortExporter.Core.Network;
using PortExporter.Firewall.Evaluation;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Backend;

/// <summary>The forwarding sysctls as evidence for the forward path: read from a sysctl tree, and the verdict they make.</summary>
public sealed class ForwardingSysctlsTests
{
    private static readonly FirewallDecision Forwarded = new(FirewallVerdict.Accept, "iptables-nft", "filter", "FORWARD", "policy accept")
    {
        Path = "prerouting -> dnat 172.31.0.2:80 -> forward out docker0 -> accept",
        ForwardedTo = new IPEndPoint(IPAddress.Parse("172.31.0.2"), 80),
    };

    private static SimulatedConnection Outside(string address = "10.77.0.1", string source = "203.0.113.1", string ingress = "eth0") =>
        new(ConnectionOrigin.Outside, IPAddress.Parse(source), IPAddress.Parse(address), ingress, TransportProtocol.Tcp, 8080);

    private static ForwardingSysctls Sysctls(bool? all, bool? eth0, bool? v6) =>
        new(all, eth0 is { } e ? [KeyValuePair.Create("eth0", e)] : [], v6);

    [Fact]
    public void Forwarding_off_on_the_ingress_interface_drops_a_DNATed_connection_before_the_forward_rules()
    {
        var decision = ForwardingSysctls.Gate(Forwarded, Outside(), Sysctls(true, false, true));

        Assert.Equal(FirewallVerdict.Drop, decision.Verdict);
        Assert.Equal(ForwardingSysctls.VerdictBackend, decision.Backend);
        Assert.Equal("net.ipv4.conf.eth0.forwarding = 0", decision.Rule);
        Assert.Equal("prerouting -> dnat 172.31.0.2:80 -> not forwarded (net.ipv4.conf.eth0.forwarding = 0)", decision.Path);
        Assert.Equal(Forwarded.ForwardedTo, decision.ForwardedTo);
    }

    [Fact]
    public void Without_a_per_interface_value_ip_forward_decides()
    {
        Assert.Equal("net.ipv4.ip_forward = 0", ForwardingSysctls.Gate(Forwarded, Outside(), Sysctls(false, null, true)).Rule);
        Assert.Same(Forwarded, ForwardingSysctls.Gate(Forwarded, Outside(), Sysctls(true, null, false)));
    }

    [Fact]
    public void IPv6_is_decided_by_conf_all_forwarding()
    {
        var v6 = Outside("2001:db8:77::1", "2001:db8::1");
        Assert.Equal("net.ipv6.conf.all.forwarding = 0", ForwardingSysctls.Gate(Forwarded, v6, Sysctls(true, true, false)).Rule);
        Assert.Same(Forwarded, ForwardingSysctls.Gate(Forwarded, v6, Sysctls(false, false, true)));
    }

    public static TheoryData<string, FirewallDecision, SimulatedConnection, ForwardingSysctls?> Unchanged => new()
    {
        { "forwarding on", Forwarded, Outside(), Sysctls(true, true, true) },
        { "not read (a fixture tree)", Forwarded, Outside(), null },
        { "delivered locally", Forwarded with { ForwardedTo = null, Path = null }, Outside(), Sysctls(false, false, false) },
        { "the host's own connection (output, no forwarding)", Forwarded, Outside(ingress: "lo"), Sysctls(false, false, false) },
    };

    [Theory]
    [MemberData(nameof(Unchanged))]
    public void Any_other_decision_is_left_as_the_rules_made_it(string scenario, FirewallDecision decision, SimulatedConnection connection, ForwardingSysctls? sysctls)
    {
        Assert.True(ReferenceEquals(decision, ForwardingSysctls.Gate(decision, connection, sysctls)), scenario);
    }

    [Fact]
    public void The_sysctls_are_read_per_interface_and_a_tree_without_them_is_no_data()
    {
        using var dir = new TempDir();
        dir.File("ipv4/ip_forward", "1\n");
        dir.File("ipv4/conf/eth0/forwarding", "0\n");
        dir.File("ipv4/conf/docker0/forwarding", "1\n");
        dir.File("ipv6/conf/all/forwarding", "0\n");

        var read = ForwardingSysctls.Read(dir.Path, ["lo", "eth0", "docker0", "eth0"]);

        Assert.NotNull(read);
        Assert.True(read.Ipv4);
        Assert.False(read.Ipv6);
        Assert.Equal([KeyValuePair.Create("docker0", true), KeyValuePair.Create("eth0", false)], read.Ipv4ByInterface);
        Assert.Equal((false, "net.ipv4.conf.eth0.forwarding"), read.For("eth0", 4));
        Assert.Equal((true, "net.ipv4.ip_forward"), read.For("wg0", 4));
        Assert.True(read.SameAs(ForwardingSysctls.Read(dir.Path, ["eth0", "docker0"])));
        Assert.Null(ForwardingSysctls.Read(Path.Combine(dir.Path, "missing"), ["eth0"]));
    }

    private static readonly FirewallDecision ToLoopback = new(FirewallVerdict.Accept, "none", string.Empty, string.Empty, "no rule on the path")
    {
        Path = "prerouting -> dnat 127.0.0.1:8081 -> input -> accept",
        DeliveredTo = new IPEndPoint(IPAddress.Loopback, 8081),
    };

    private static ForwardingSysctls Localnet(bool? all, bool? eth0) =>
        new(true, [], true) { RouteLocalnet = all, RouteLocalnetByInterface = eth0 is { } e ? [KeyValuePair.Create("eth0", e)] : [] };

    [Fact]
    public void A_DNAT_to_loopback_from_outside_is_a_martian_unless_route_localnet_is_on_for_its_interface()
    {
        var dropped = ForwardingSysctls.GateLoopback(ToLoopback, Outside(), Localnet(false, false));
        Assert.Equal((FirewallVerdict.Drop, ForwardingSysctls.VerdictBackend, "net.ipv4.conf.eth0.route_localnet = 0"), (dropped.Verdict, dropped.Backend, dropped.Rule));
        Assert.Equal("prerouting -> dnat 127.0.0.1:8081 -> input -> accept -> martian destination", dropped.Path);
        Assert.Equal(ToLoopback.DeliveredTo, dropped.DeliveredTo);

        // Either of all and the interface on lets it through (the kernel ORs them); not read leaves the rules' verdict.
        Assert.Same(ToLoopback, ForwardingSysctls.GateLoopback(ToLoopback, Outside(), Localnet(true, false)));
        Assert.Same(ToLoopback, ForwardingSysctls.GateLoopback(ToLoopback, Outside(), Localnet(false, true)));
        Assert.Same(ToLoopback, ForwardingSysctls.GateLoopback(ToLoopback, Outside(), Localnet(null, null)));
        Assert.Same(ToLoopback, ForwardingSysctls.GateLoopback(ToLoopback, Outside(ingress: "lo"), Localnet(false, false)));

        // IPv6 never routes ::1 from outside.
        var v6 = ToLoopback with { DeliveredTo = new IPEndPoint(IPAddress.IPv6Loopback, 8081) };
        Assert.Equal(FirewallVerdict.Drop, ForwardingSysctls.GateLoopback(v6, Outside("2001:db8:77::1", "2001:db8::1"), Localnet(true, true)).Verdict);
    }

    [Fact]
    public void Route_localnet_is_read_for_all_and_per_interface()
    {
        using var dir = new TempDir();
        dir.File("ipv4/ip_forward", "0\n");
        dir.File("ipv4/conf/all/route_localnet", "0\n");
        dir.File("ipv4/conf/eth0/route_localnet", "1\n");

        var read = ForwardingSysctls.Read(dir.Path, ["eth0", "eth1"])!;

        Assert.False(read.RouteLocalnet);
        Assert.Equal([KeyValuePair.Create("eth0", true)], read.RouteLocalnetByInterface);
        Assert.False(read.SameAs(read with { RouteLocalnetByInterface = [] }));
    }
}
