using System.Net;
using System.Net.Sockets;
using System.Text;
using PortExporter.Core;
using PortExporter.Core.Sockets;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.SockDiag;

/// <summary>
/// Sockets bound to an interface (SO_BINDTODEVICE, what <c>ss</c> shows as <c>0.0.0.0%eth1:8080</c>) in a fresh network
/// namespace: the netlink dump names the interface, /proc/net cannot, and an unbound socket has none.
/// </summary>
public sealed class SockDiagDeviceNamespaceTests : IDisposable
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    private readonly Netns _ns = new("sdd");
    private readonly Netns _peer = new("sdp");
    private readonly List<Socket> _sockets = [];

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _ns.Dispose();
        _peer.Dispose();
    }

    [Fact]
    public void The_dump_names_the_interface_a_socket_is_bound_to()
    {
        _ns.Link("in0", "10.79.2.1/24", _peer, "in1", "10.79.2.2/24");
        using var thread = new NetnsThread(_ns);
        var boundV4 = Open(thread, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp, 8080, "in0");
        var boundV6 = Open(thread, AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp, 8081, "in0");
        var boundUdp = Open(thread, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp, 8082, "in0");
        var onLoopback = Open(thread, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp, 8083, "lo");
        var unbound = Open(thread, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp, 8084, device: null);

        var listeners = thread.Invoke(SockDiagReader.ReadListeners);

        Assert.Equal("in0", Single(listeners, TransportProtocol.Tcp, boundV4).Device);
        var v6 = Single(listeners, TransportProtocol.Tcp, boundV6);
        Assert.Equal("in0", v6.Device);
        Assert.Equal("[::%in0]:8081", v6.EndpointText);
        Assert.Equal("in0", Single(listeners, TransportProtocol.Udp, boundUdp).Device);
        var lo = Single(listeners, TransportProtocol.Tcp, onLoopback);
        Assert.Equal("lo", lo.Device);
        Assert.Equal("0.0.0.0%lo", lo.AddressText);
        var plain = Single(listeners, TransportProtocol.Tcp, unbound);
        Assert.Null(plain.Device);
        Assert.Equal("0.0.0.0:8084", plain.EndpointText);
    }

    private static Listener Single(List<Listener> listeners, TransportProtocol protocol, int port) =>
        Assert.Single(listeners, l => l.Protocol == protocol && l.Port == port);

    private int Open(NetnsThread thread, AddressFamily family, SocketType type, ProtocolType protocol, int port, string? device)
    {
        var socket = thread.CreateSocket(family, type, protocol);
        _sockets.Add(socket);
        if (device is not null)
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(device + "\0"));
        }

        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, port));
        if (type == SocketType.Stream)
        {
            socket.Listen();
        }

        return port;
    }
}
