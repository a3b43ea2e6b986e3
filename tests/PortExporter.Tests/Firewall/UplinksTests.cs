using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// A host with two uplinks (a second default route of a higher metric) and a service on a second address of its
/// outside interface (captured procfs, pure planner): every interface a default route leaves by faces outside, and
/// outside traffic goes to the address the service listens on.
/// </summary>
public sealed class UplinksTests
{
    private static readonly string Root = Path.Combine(FirewallFixture.Root, "two-uplinks");

    private static readonly HostNetwork Network = HostNetworkReader.Read(new HostPaths(Path.Combine(Root, "proc"), "/nonexistent", "/nonexistent"));

    [Fact]
    public void A_second_uplink_faces_outside_and_is_no_internal_network()
    {
        Assert.Equal("eth0", Network.DefaultInterfaceV4);
        Assert.Equal(["eth0", "eth1"], Network.OutsideInterfaces(4));
        Assert.Equal(["eth0", "eth1"], Network.OutsideInterfaces(6));
        Assert.Equal(["eth2 192.0.2.0/24"], Network.InternalNetworks(4).Select(n => $"{n.Interface.Name} {n.Subnet}"));
        Assert.Empty(Network.InternalNetworks(6));
        Assert.Contains(IPAddress.Parse("198.51.100.1"), Network.OutsideAddresses());

        // An internal port is promised to the internal network only: a drop on the second uplink breaks no promise.
        var plan = ConnectionPlanner.Plan(new PortSpec("db", 5432, TransportProtocol.Tcp) { Expose = PortExpose.Internal }, null, Network, null);
        Assert.Equal(["192.0.2.1 -> 192.0.2.10 on eth2"], plan.Inside.Connections.Select(c => $"{c.Source} -> {c.Destination} on {c.Interface}"));
    }

    [Fact]
    public void Outside_traffic_goes_to_the_outside_address_the_service_listens_on()
    {
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp);

        var second = ConnectionPlanner.Plan(port, [new(TransportProtocol.Tcp, IPAddress.Parse("10.77.0.10"), 8080, 1)], Network, null);
        Assert.Equal("203.0.113.1 -> 10.77.0.10 on eth0", Describe(second.Outside));

        var onSecondUplink = ConnectionPlanner.Plan(port, [new(TransportProtocol.Tcp, IPAddress.Parse("198.51.100.1"), 8080, 1)], Network, null);
        Assert.Equal("203.0.113.1 -> 198.51.100.1 on eth1", Describe(onSecondUplink.Outside));

        // A wildcard listener serves the primary address; one on an internal address leaves the outside path as it is
        // (the bind rule names that).
        var wildcard = ConnectionPlanner.Plan(port, [new(TransportProtocol.Tcp, IPAddress.Any, 8080, 1), new(TransportProtocol.Tcp, IPAddress.Parse("10.77.0.10"), 8080, 2)], Network, null);
        Assert.Equal("203.0.113.1 -> 10.77.0.1 on eth0", Describe(wildcard.Outside));
        var internalOnly = ConnectionPlanner.Plan(port, [new(TransportProtocol.Tcp, IPAddress.Parse("192.0.2.10"), 8080, 1)], Network, null);
        Assert.Equal("203.0.113.1 -> 10.77.0.1 on eth0", Describe(internalOnly.Outside));
    }

    private static string Describe(PortExporter.Firewall.Evaluation.SimulatedConnection? c) =>
        c is null ? "none" : $"{c.Source} -> {c.Destination} on {c.Interface}";
}
