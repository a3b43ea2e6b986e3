using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Sockets;

public sealed class ListenerExposureTests
{
    [Theory]
    // No bind configured: any listener that is not loopback.
    [InlineData(null, "0.0.0.0", null, true)]
    [InlineData(null, "::", null, true)]
    [InlineData(null, "10.200.0.1", null, true)]
    [InlineData(null, "2001:db8::1", null, true)]
    [InlineData(null, "127.0.0.1", null, false)]
    [InlineData(null, "127.0.0.53", null, false)]
    [InlineData(null, "::1", null, false)]
    // bind given: that address, or a wildcard that covers it.
    [InlineData("10.200.0.1", "10.200.0.1", null, true)]
    [InlineData("10.200.0.1", "10.200.0.2", null, false)]
    [InlineData("10.200.0.1", "127.0.0.1", null, false)]
    [InlineData("10.200.0.1", "0.0.0.0", null, true)]
    [InlineData("10.200.0.1", "::", false, true)]
    [InlineData("10.200.0.1", "::", null, true)]
    [InlineData("10.200.0.1", "::", true, false)]
    [InlineData("10.200.0.1", "::ffff:10.200.0.1", null, true)]
    [InlineData("2001:db8::1", "::", true, true)]
    [InlineData("2001:db8::1", "0.0.0.0", null, false)]
    [InlineData("2001:db8::1", "2001:db8::1", null, true)]
    // A wildcard bind asks for a wildcard listener.
    [InlineData("0.0.0.0", "0.0.0.0", null, true)]
    [InlineData("0.0.0.0", "::", false, true)]
    [InlineData("0.0.0.0", "::", true, false)]
    [InlineData("0.0.0.0", "10.200.0.1", null, false)]
    public void Decides_whether_one_listener_takes_outside_traffic(string? bind, string listenerAddress, bool? v6Only, bool exposed)
    {
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp, Bind: bind is null ? null : IPAddress.Parse(bind));
        var listener = new Listener(TransportProtocol.Tcp, IPAddress.Parse(listenerAddress), 8080, 1, v6Only);

        Assert.Equal(exposed, ListenerExposure.IsExposed(port, [listener]));
    }

    [Fact]
    public void One_exposed_listener_among_loopback_ones_is_enough_and_none_is_not()
    {
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp);
        var loopback = new Listener(TransportProtocol.Tcp, IPAddress.Loopback, 8080, 1);
        var wildcard = new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 2);

        Assert.True(ListenerExposure.IsExposed(port, [loopback, wildcard]));
        Assert.False(ListenerExposure.IsExposed(port, [loopback]));
        Assert.False(ListenerExposure.IsExposed(port, []));
    }

    [Theory]
    // eth0 holds the default route and 10.200.0.1; eth1 an internal network.
    [InlineData(null, "eth0", true)]
    [InlineData(null, "eth1", false)]
    [InlineData(null, "lo", false)]
    [InlineData("10.200.0.1", "eth0", true)]
    [InlineData("10.200.0.1", "eth1", false)]
    public void A_listener_bound_to_an_interface_takes_outside_traffic_only_there(string? bind, string device, bool exposed)
    {
        var port = new PortSpec("web", 8080, TransportProtocol.Tcp, Bind: bind is null ? null : IPAddress.Parse(bind));
        var listener = new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 1) { Device = device };
        var network = new HostNetwork(
            [new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("eth0", [IPAddress.Parse("10.200.0.1")]), new HostInterface("eth1", [IPAddress.Parse("10.0.0.5")])],
            "eth0",
            null);

        Assert.Equal(exposed, ListenerExposure.IsExposed(port, [listener], network));
        Assert.Equal(device != "lo", ListenerExposure.Covers(listener, IPAddress.Parse("10.0.0.5")));
        Assert.Equal(device == "lo", ListenerExposure.Covers(listener, IPAddress.Loopback));
    }
}
