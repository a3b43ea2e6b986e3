using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;
using PortExporter.Firewall.Evaluation;

namespace PortExporter.Tests.Firewall;

public sealed class HostNetworkTests
{
    private static readonly HostNetwork Network = HostNetworkReader.Read(new HostPaths(Path.Combine(FirewallFixture.Root, "host-network"), "/nonexistent", "/nonexistent"));

    [Fact]
    public void Reads_interfaces_addresses_and_default_routes_from_procfs()
    {
        Assert.Equal("eth0", Network.DefaultInterfaceV4);
        Assert.Equal("eth0", Network.DefaultInterfaceV6);
        Assert.Equal("eth0", Network.InterfaceOf(IPAddress.Parse("10.77.1.1")));
        Assert.Equal("eth1", Network.InterfaceOf(IPAddress.Parse("192.0.2.10")));
        Assert.Equal("eth1", Network.InterfaceOf(IPAddress.Parse("2001:db8:99::10")));
        Assert.Equal("lo", Network.InterfaceOf(IPAddress.Loopback));
        Assert.Null(Network.InterfaceOf(IPAddress.Parse("198.51.100.1")));
        Assert.Equal(IPAddress.Parse("10.77.0.1"), Network.PrimaryAddress("eth0", 4));
        Assert.Equal(IPAddress.Parse("2001:db8:77::1"), Network.PrimaryAddress("eth0", 6));
        Assert.True(Network.IsLocal(IPAddress.Parse("::ffff:10.77.0.1")));
        Assert.False(Network.IsLocal(IPAddress.Parse("10.77.0.2")));
    }

    [Fact]
    public void Routes_give_the_interface_a_forwarded_packet_leaves_by()
    {
        Assert.Equal("eth1", Network.EgressInterface(IPAddress.Parse("192.0.2.99")));
        Assert.Equal("eth0", Network.EgressInterface(IPAddress.Parse("10.77.1.200")));
        Assert.Equal("eth0", Network.EgressInterface(IPAddress.Parse("198.51.100.1")));
        Assert.Equal("eth1", Network.EgressInterface(IPAddress.Parse("2001:db8:99::20")));
        Assert.Equal("eth1", Network.EgressInterface(IPAddress.Parse("::ffff:192.0.2.99")));
        Assert.Null(HostNetwork.Empty.EgressInterface(IPAddress.Parse("192.0.2.99")));
        Assert.False(Network.SameAs(Network with { Routes = [] }));
    }

    [Fact]
    public void Missing_files_are_no_data()
    {
        var empty = HostNetworkReader.Read(new HostPaths("/nonexistent", "/nonexistent", "/nonexistent"));
        Assert.Empty(empty.Interfaces);
        Assert.Null(empty.DefaultInterfaceV4);
    }

    [Theory]
    [InlineData("Iface\tDestination\nbroken line\n", "/proc/net/route line 2: field line: expected a route line, got 'broken line'")]
    [InlineData("Iface\tDestination\neth0\tZZZZ\t0\t0\t0\t0\t0\t0\t0\n", "/proc/net/route line 2: field line: expected a route line")]
    public void Garbage_route_files_are_parse_errors(string text, string expected)
    {
        var e = Assert.Throws<ProcfsFormatException>(() => ProcNetParsers.ParseRoutes(text));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_address_files_are_parse_errors()
    {
        Assert.Throws<ProcfsFormatException>(() => ProcNetParsers.ParseIfInet6("zz 01 80 10 80 lo\n"));
        Assert.Throws<ProcfsFormatException>(() => ProcNetParsers.ParseIpv6Routes("not a route\n"));
        Assert.Throws<ProcfsFormatException>(() => ProcNetParsers.ParseFibTrieLocalAddresses("  |-- 999.1.1.1\n     /32 host LOCAL\n"));
    }

    [Fact]
    public void Outside_goes_through_the_default_route_interface_to_its_address_from_the_documentation_source()
    {
        var plan = ConnectionPlanner.Plan(new PortSpec("web", 8080, TransportProtocol.Tcp), null, Network, null);
        Assert.Equal(new SimulatedConnection(ConnectionOrigin.Outside, IPAddress.Parse("203.0.113.1"), IPAddress.Parse("10.77.0.1"), "eth0", TransportProtocol.Tcp, 8080), plan.Outside);
    }

    [Fact]
    public void Interfaces_carry_their_subnets_ipv4_from_the_connected_routes_ipv6_from_the_prefix_length()
    {
        HostInterface Named(string name) => Network.Interfaces.Single(i => i.Name == name);

        Assert.Equal([IPNetwork.Parse("10.77.0.0/24"), IPNetwork.Parse("10.77.1.0/24"), IPNetwork.Parse("2001:db8:77::/64"), IPNetwork.Parse("fe80::/64")], Named("eth0").Subnets);
        Assert.Equal([IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8:99::/64"), IPNetwork.Parse("fe80::/64")], Named("eth1").Subnets);
        Assert.Equal([(IPNetwork.Parse("2001:db8:99::/64"))], Network.InternalNetworks(6).Select(n => n.Subnet));
        Assert.Equal("eth1", Network.ConnectedInterface(IPAddress.Parse("192.0.2.77"))?.Name);
        Assert.Null(Network.ConnectedInterface(IPAddress.Parse("198.51.100.1")));
    }

    [Theory]
    [InlineData("20010db8009900000000000000000010 05 40 00 82     eth1", 64)]
    [InlineData("20010db8009900000000000000000010 05 30 00 80     eth1", 48)]
    [InlineData("20010db8009900000000000000000010 05 80 00 80     eth1", 128)]
    public void The_ipv6_address_parser_keeps_the_prefix_length(string line, int prefix)
    {
        var (name, address, length) = Assert.Single(ProcNetParsers.ParseIfInet6(line + "\n"));

        Assert.Equal(("eth1", IPAddress.Parse("2001:db8:99::10"), prefix), (name, address, length));
    }

    [Fact]
    public void Inside_is_a_client_on_the_internal_network_arriving_on_its_interface()
    {
        var plan = ConnectionPlanner.Plan(new PortSpec("web", 8080, TransportProtocol.Tcp), null, Network, null);
        Assert.Equal(new SimulatedConnection(ConnectionOrigin.Outside, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.10"), "eth1", TransportProtocol.Tcp, 8080), Assert.Single(plan.Inside.Connections));

        var v6 = ConnectionPlanner.Plan(new PortSpec("web", 8080, TransportProtocol.Tcp, Bind: IPAddress.Parse("2001:db8:77::1")), null, Network, null);
        Assert.Equal(("2001:db8:99::1", "2001:db8:77::1", "eth1"), (v6.Inside.Connections[0].Source.ToString(), v6.Inside.Connections[0].Destination.ToString(), v6.Inside.Connections[0].Interface));
    }

    [Fact]
    public void Inside_is_the_host_on_loopback_without_an_internal_network_or_with_a_loopback_bind()
    {
        var oneLink = new HostNetwork([new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("eth0", [IPAddress.Parse("10.77.0.1")]) { Subnets = [IPNetwork.Parse("10.77.0.0/24")] }], "eth0", null);
        Assert.Equal("lo", ConnectionPlanner.Plan(new PortSpec("web", 8080, TransportProtocol.Tcp), null, oneLink, null).Inside.Connections.Single().Interface);
        Assert.Equal("lo", ConnectionPlanner.Plan(new PortSpec("web", 8080, TransportProtocol.Tcp, Bind: IPAddress.Loopback), null, Network, null).Inside.Connections.Single().Interface);
    }

    [Fact]
    public void Each_from_range_is_simulated_at_both_ends_on_the_interface_it_arrives_on()
    {
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp)
        {
            From = [IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8:aa::/48"), IPNetwork.Parse("203.0.113.7/32")],
        };

        var plan = ConnectionPlanner.Plan(port, null, Network, null);

        Assert.Equal("203.0.113.1", plan.Outside!.Source.ToString());
        Assert.Equal(["198.51.100.0/24", "192.0.2.0/24", "2001:db8:aa::/48", "203.0.113.7/32"], plan.From.Select(f => f.Source));
        string[] Ends(int i) => [.. plan.From[i].Connections.Select(c => $"{c.Source} -> {c.Destination} on {c.Interface}")];
        Assert.Equal(["198.51.100.1 -> 10.77.0.1 on eth0", "198.51.100.254 -> 10.77.0.1 on eth0"], Ends(0));
        Assert.Equal(["192.0.2.1 -> 192.0.2.10 on eth1", "192.0.2.254 -> 192.0.2.10 on eth1"], Ends(1));
        Assert.Equal(["2001:db8:aa::1 -> 2001:db8:77::1 on eth0", "2001:db8:aa:ffff:ffff:ffff:ffff:ffff -> 2001:db8:77::1 on eth0"], Ends(2));
        Assert.Equal(["203.0.113.7 -> 10.77.0.1 on eth0"], Ends(3));
    }

    [Fact]
    public void A_range_of_the_other_family_than_the_bind_address_cannot_be_simulated()
    {
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp, Bind: IPAddress.Parse("10.77.0.1")) { From = [IPNetwork.Parse("2001:db8:aa::/48")] };

        var source = Assert.Single(ConnectionPlanner.Plan(port, null, Network, null).From);

        Assert.Empty(source.Connections);
        Assert.Contains("bound to 10.77.0.1", source.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bind_address_picks_its_interface_and_family()
    {
        var v4 = ConnectionPlanner.Plan(new PortSpec("web", 80, TransportProtocol.Tcp, Bind: IPAddress.Parse("192.0.2.10")), null, Network, IPAddress.Parse("198.51.100.9"));
        Assert.Equal(("eth1", "192.0.2.10", "198.51.100.9"), (v4.Outside!.Interface, v4.Outside.Destination.ToString(), v4.Outside.Source.ToString()));
        Assert.Equal(IPAddress.Parse("192.0.2.10"), Assert.Single(v4.Inside.Connections).Destination);

        var v6 = ConnectionPlanner.Plan(new PortSpec("dns", 53, TransportProtocol.Udp, Bind: IPAddress.Parse("2001:db8:99::10")), null, Network, IPAddress.Parse("198.51.100.9"));
        Assert.Equal(("eth1", "2001:db8::1"), (v6.Outside!.Interface, v6.Outside.Source.ToString()));

        var wildcard = ConnectionPlanner.Plan(new PortSpec("web", 80, TransportProtocol.Tcp, Bind: IPAddress.IPv6Any), null, Network, null);
        Assert.Equal(("eth0", "2001:db8:77::1"), (wildcard.Outside!.Interface, wildcard.Outside.Destination.ToString()));
    }

    [Fact]
    public void An_ipv6_only_service_is_simulated_over_ipv6()
    {
        Listener[] v6Only = [new(TransportProtocol.Tcp, IPAddress.IPv6Any, 8443, 1, V6Only: true)];
        Assert.Equal(6, ConnectionPlanner.Plan(new PortSpec("app", 8443, TransportProtocol.Tcp), v6Only, Network, null).Outside!.IpVersion);
        Listener[] dual = [new(TransportProtocol.Tcp, IPAddress.IPv6Any, 8443, 1, V6Only: false)];
        Assert.Equal(4, ConnectionPlanner.Plan(new PortSpec("app", 8443, TransportProtocol.Tcp), dual, Network, null).Outside!.IpVersion);
    }

    [Fact]
    public void Without_an_IPv6_default_route_a_dual_stack_service_is_reached_over_IPv6_from_the_outside_interfaces_network()
    {
        // The outside interface eth0 holds 2001:db8:77::1/64 and no IPv6 default route exists: IPv6 clients on that
        // network reach the service directly, so outside is simulated over IPv6 too, from the network's first address
        // that is not this host's.
        var noRoute = Network with { DefaultInterfaceV6 = null };
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp);
        Listener[] dual = [new(TransportProtocol.Tcp, IPAddress.IPv6Any, 8080, 1, V6Only: false)];

        var plan = ConnectionPlanner.Plan(port, dual, noRoute, null);

        Assert.Equal(4, plan.Outside!.IpVersion);
        var v6 = Assert.Single(plan.OtherOutside);
        Assert.Equal(("eth0", "2001:db8:77::1", "2001:db8:77::2"), (v6.Interface, v6.Destination.ToString(), v6.Source.ToString()));
        // firewall.external_source on that network is taken as the client.
        Assert.Equal("2001:db8:77::99", Assert.Single(ConnectionPlanner.Plan(port, dual, noRoute, IPAddress.Parse("2001:db8:77::99")).OtherOutside).Source.ToString());

        Assert.False(plan.OtherOutsideIfTranslated);
        // IPv4 only, or nothing listening on this host: only a DNAT can take IPv6 clients (a container published over
        // both families), so the connection is asked, to count only where one sends it on.
        foreach (var v4Only in new List<Listener>[] { [new(TransportProtocol.Tcp, IPAddress.Any, 8080, 1)], [] })
        {
            var viaDnat = ConnectionPlanner.Plan(port, v4Only, noRoute, null);
            Assert.Equal("2001:db8:77::1", Assert.Single(viaDnat.OtherOutside).Destination.ToString());
            Assert.True(viaDnat.OtherOutsideIfTranslated);
        }

        // Sockets not read: nothing to go by.
        Assert.Empty(ConnectionPlanner.Plan(port, null, noRoute, null).OtherOutside);
        // IPv6 only on another interface's address: nobody on eth0's network is served over IPv6.
        Listener[] elsewhere = [new(TransportProtocol.Tcp, IPAddress.Any, 8080, 1), new(TransportProtocol.Tcp, IPAddress.Parse("2001:db8:99::10"), 8080, 2)];
        Assert.Empty(ConnectionPlanner.Plan(port, elsewhere, noRoute, null).OtherOutside);
        // An internal port: the outside interface's own network is its LAN, not the outside it must be closed to.
        Assert.Empty(ConnectionPlanner.Plan(port with { Expose = PortExpose.Internal }, dual, noRoute, null).OtherOutside);
        // No IPv6 subnet on the outside interface: none either.
        var noSubnet = noRoute with { Interfaces = [.. noRoute.Interfaces.Select(i => i.Name == "eth0" ? i with { Subnets = [.. i.Subnets.Where(n => n.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)] } : i)] };
        Assert.Empty(ConnectionPlanner.Plan(port, dual, noSubnet, null).OtherOutside);
    }

    [Theory]
    [InlineData("2001:db8:77::1", 6)]
    [InlineData("203.0.113.80", 4)]
    [InlineData("www.example.org", 4)]
    public void External_addresses_of_one_family_are_the_way_outside_clients_come_in(string external, int version)
    {
        Listener[] dual = [new(TransportProtocol.Tcp, IPAddress.IPv6Any, 8080, 1, V6Only: false)];
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp, External: [new HostPort(external, 8080)]);

        Assert.Equal(version, ConnectionPlanner.Plan(port, dual, Network, null).Outside!.IpVersion);
    }

    [Fact]
    public void No_outside_interface_means_no_outside_connection()
    {
        var plan = ConnectionPlanner.Plan(new PortSpec("web", 80, TransportProtocol.Tcp), null, HostNetwork.Empty, null);
        Assert.Null(plan.Outside);
        Assert.Contains("no IPv4 interface", plan.OutsideProblem, StringComparison.Ordinal);
    }
}
