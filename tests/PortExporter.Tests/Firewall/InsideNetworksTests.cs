using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Firewall;

/// <summary>"Inside" is every internal network of the host, never container plumbing (captured interfaces, pure planner).</summary>
public sealed class InsideNetworksTests
{
    private static readonly string Root = Path.Combine(FirewallFixture.Root, "inside-networks");

    private static readonly HostNetwork Network = HostNetworkReader.Read(new HostPaths(Path.Combine(Root, "proc"), Path.Combine(Root, "sys"), "/nonexistent"));

    private static HostInterface Named(HostNetwork network, string name) => network.Interfaces.Single(i => i.Name == name);

    [Fact]
    public void Container_bridges_and_tun_tap_devices_are_plumbing_and_veth_links_are_networks()
    {
        Assert.Contains("veth", Named(Network, "docker0").Plumbing, StringComparison.Ordinal);
        Assert.Equal("a bridge without ports", Named(Network, "br-idle").Plumbing);
        Assert.Equal("a tun/tap device", Named(Network, "tap0").Plumbing);
        Assert.Null(Named(Network, "eth1").Plumbing);
        Assert.Null(Named(Network, "eth2").Plumbing);

        Assert.Equal(["eth1 192.0.2.0/24", "eth2 198.18.0.0/24"], Network.InternalNetworks(4).Select(n => $"{n.Interface.Name} {n.Subnet}"));
        Assert.Equal(["eth1 2001:db8:99::/64"], Network.InternalNetworks(6).Select(n => $"{n.Interface.Name} {n.Subnet}"));
    }

    [Fact]
    public void Inside_is_one_client_per_internal_network()
    {
        var plan = ConnectionPlanner.Plan(new PortSpec("db", 5432, TransportProtocol.Tcp) { Expose = PortExpose.Internal }, null, Network, null);

        Assert.Equal("inside", plan.Inside.Source);
        Assert.Equal(
            ["192.0.2.1 -> 192.0.2.10 on eth1", "198.18.0.2 -> 198.18.0.1 on eth2"],
            plan.Inside.Connections.Select(c => $"{c.Source} -> {c.Destination} on {c.Interface}"));
        Assert.Null(plan.Inside.Problem);

        var v6 = ConnectionPlanner.Plan(new PortSpec("db", 5432, TransportProtocol.Tcp, Bind: IPAddress.IPv6Any), [new(TransportProtocol.Tcp, IPAddress.IPv6Any, 5432, 1, V6Only: true)], Network, null);
        Assert.Equal(["2001:db8:99::1 -> 2001:db8:99::10 on eth1"], v6.Inside.Connections.Select(c => $"{c.Source} -> {c.Destination} on {c.Interface}"));
    }

    [Fact]
    public void A_bind_address_puts_its_own_network_first_and_is_the_destination_from_every_network()
    {
        var plan = ConnectionPlanner.Plan(new PortSpec("db", 5432, TransportProtocol.Tcp, Bind: IPAddress.Parse("198.18.0.1")), null, Network, null);

        Assert.Equal(
            ["198.18.0.2 -> 198.18.0.1 on eth2", "192.0.2.1 -> 198.18.0.1 on eth1"],
            plan.Inside.Connections.Select(c => $"{c.Source} -> {c.Destination} on {c.Interface}"));
    }

    [Fact]
    public void Without_sysfs_the_names_of_container_plumbing_tell()
    {
        var network = HostNetworkReader.Read(new HostPaths(Path.Combine(Root, "proc"), "/nonexistent", "/nonexistent"));

        Assert.Equal(["eth1", "eth2"], network.InternalNetworks(4).Select(n => n.Interface.Name));
        Assert.Contains("docker", Named(network, "docker0").Plumbing, StringComparison.Ordinal);
        Assert.Contains("br-", Named(network, "br-idle").Plumbing, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bridge_with_a_real_port_is_a_network_and_one_of_veth_or_tap_ports_is_not()
    {
        // A bridge over a NIC (br0 with eth3, a LAN) beside a container bridge (its ports a veth and a VM's tap).
        var links = new Dictionary<string, LinkFacts>
        {
            ["br0"] = new("br0", IsBridge: true, ["eth3"], null, IsTunTap: false, HasDevice: false, Paired: false, "bridge"),
            ["eth3"] = new("eth3", IsBridge: false, [], "br0", IsTunTap: false, HasDevice: true, Paired: false, null),
            ["cni0"] = new("cni0", IsBridge: true, ["veth1", "vnet0"], null, IsTunTap: false, HasDevice: false, Paired: false, "bridge"),
            ["veth1"] = new("veth1", IsBridge: false, [], "cni0", IsTunTap: false, HasDevice: false, Paired: true, null),
            ["vnet0"] = new("vnet0", IsBridge: false, [], "cni0", IsTunTap: true, HasDevice: false, Paired: false, null),
            ["bond0.7"] = new("bond0.7", IsBridge: false, [], null, IsTunTap: false, HasDevice: false, Paired: true, "vlan"),
        };

        Assert.Null(ContainerPlumbing.Why("br0", links));
        Assert.Null(ContainerPlumbing.Why("bond0.7", links));
        Assert.Equal("a bridge whose ports are all veth/tap (veth1,vnet0)", ContainerPlumbing.Why("cni0", links));
        Assert.Equal("a veth port of bridge cni0", ContainerPlumbing.Why("veth1", links));

        // Where frames of a bridge's network come in: its real port, else its first; a non-bridge has none.
        Assert.Equal("eth3", ContainerPlumbing.UplinkPort("br0", links));
        Assert.Equal("veth1", ContainerPlumbing.UplinkPort("cni0", links));
        Assert.Null(ContainerPlumbing.UplinkPort("bond0.7", links));
        Assert.Null(ContainerPlumbing.UplinkPort("missing", links));
    }

    [Fact]
    public void Connections_arriving_on_a_bridge_with_a_real_port_cross_that_port_first()
    {
        var network = new HostNetwork(
            [new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("br0", [IPAddress.Parse("10.77.0.1")]) { Subnets = [IPNetwork.Parse("10.77.0.0/24")], UplinkPort = "eth3" }],
            "br0",
            null);

        var plan = ConnectionPlanner.Plan(new PortSpec("web", 8080, TransportProtocol.Tcp), null, network, null);

        Assert.Equal("tcp 203.0.113.1 -> 10.77.0.1:8080 on br0 (port eth3)", plan.Outside!.ToString());
        Assert.Null(ConnectionPlanner.Plan(new PortSpec("web", 8080, TransportProtocol.Tcp), null, network with { Interfaces = [.. network.Interfaces.Select(i => i with { UplinkPort = null })] }, null).Outside!.BridgePort);
    }

    [Fact]
    public void The_inside_networks_simulated_are_capped()
    {
        var interfaces = new List<HostInterface> { new("eth0", [IPAddress.Parse("10.77.0.1")]) { Subnets = [IPNetwork.Parse("10.77.0.0/24")] } };
        for (var i = 0; i < ConnectionPlanner.MaxInsideNetworks + 4; i++)
        {
            interfaces.Add(new HostInterface($"vlan{i}", [IPAddress.Parse($"10.1.{i}.1")]) { Subnets = [IPNetwork.Parse($"10.1.{i}.0/24")] });
        }

        var plan = ConnectionPlanner.Plan(new PortSpec("db", 5432, TransportProtocol.Tcp), null, new HostNetwork(interfaces, "eth0", null), null);

        Assert.Equal(ConnectionPlanner.MaxInsideNetworks, plan.Inside.Connections.Count);
        Assert.Equal("4 more internal networks not simulated", plan.Inside.Problem);
    }

    [Fact]
    public void A_service_taking_both_families_is_reached_from_the_internal_networks_of_both()
    {
        var port = new PortSpec("db", 5432, TransportProtocol.Tcp) { Expose = PortExpose.Internal };
        Listener[] dual = [new(TransportProtocol.Tcp, IPAddress.IPv6Any, 5432, 1, V6Only: false)];

        Assert.Equal(
            ["192.0.2.1 -> 192.0.2.10 on eth1", "198.18.0.2 -> 198.18.0.1 on eth2", "2001:db8:99::1 -> 2001:db8:99::10 on eth1"],
            ConnectionPlanner.Plan(port, dual, Network, null).Inside.Connections.Select(c => $"{c.Source} -> {c.Destination} on {c.Interface}"));

        // IPv4 only, a bind address, or an auto-watched port: the one family.
        Assert.All(ConnectionPlanner.Plan(port, [new(TransportProtocol.Tcp, IPAddress.Any, 5432, 1)], Network, null).Inside.Connections, c => Assert.Equal(4, c.IpVersion));
        Assert.All(ConnectionPlanner.Plan(port with { Bind = IPAddress.Any }, dual, Network, null).Inside.Connections, c => Assert.Equal(4, c.IpVersion));
        Assert.All(ConnectionPlanner.Plan(port with { Origin = IntentOrigin.Inferred }, dual, Network, null).Inside.Connections, c => Assert.Equal(4, c.IpVersion));
    }

    [Fact]
    public void The_uplinks_ipv6_network_is_not_internal_where_ipv6_has_no_default_route()
    {
        // host-network: eth0 is the IPv4 uplink and holds 2001:db8:77::1/64; without an IPv6 default route its IPv6
        // neighbours are still the outside's, so a dual-stack service is judged from eth1's IPv6 network alone.
        var network = HostNetworkReader.Read(new HostPaths(Path.Combine(FirewallFixture.Root, "host-network"), "/nonexistent", "/nonexistent")) with { DefaultInterfaceV6 = null };
        var port = new PortSpec("db", 5432, TransportProtocol.Tcp) { Expose = PortExpose.Internal };
        Listener[] dual = [new(TransportProtocol.Tcp, IPAddress.IPv6Any, 5432, 1, V6Only: false)];

        var inside = ConnectionPlanner.Plan(port, dual, network, null).Inside.Connections;

        Assert.DoesNotContain(inside, c => c.Interface == "eth0");
        Assert.Contains(inside, c => c.IpVersion == 6 && c.Interface == "eth1");
    }
}
