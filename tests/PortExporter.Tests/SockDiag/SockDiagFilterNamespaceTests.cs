using System.Net;
using System.Net.Sockets;
using PortExporter.Core;
using PortExporter.Core.Sockets;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.SockDiag;

/// <summary>
/// The kernel-filtered dump in a fresh network namespace holding many listeners: it returns exactly the watched
/// ports' sockets (TCP and UDP, IPv4, IPv6 and dual-stack, REUSEPORT repeats included) and nothing else.
/// </summary>
public sealed class SockDiagFilterNamespaceTests : IDisposable
{
    private readonly Netns _ns = new("sdf");
    private readonly List<Socket> _sockets = [];

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _ns.Dispose();
    }

    [Fact]
    public void The_filtered_dump_returns_exactly_the_watched_ports_sockets()
    {
        using var thread = new NetnsThread(_ns);
        var watchedTcp = new[] { 80, 443, 8080, 8081, 8082, 9100, 9200 };
        var watchedUdp = new[] { 53, 8082 };

        // Noise: 600 TCP listeners and 100 UDP sockets on other ports, some IPv6, around the watched ones.
        for (var port = 7000; port < 7600; port++)
        {
            Listen(thread, port % 5 == 0 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, port, reusePort: false);
        }

        foreach (var port in new[] { 79, 81, 442, 444, 8079, 8083, 9099, 9101 })
        {
            Listen(thread, AddressFamily.InterNetwork, port, reusePort: false);
        }

        for (var port = 5000; port < 5100; port++)
        {
            Bind(thread, port % 4 == 0 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, port);
        }

        Bind(thread, AddressFamily.InterNetwork, 54);
        Listen(thread, AddressFamily.InterNetwork, 53, reusePort: false); // TCP 53 is not watched, UDP 53 is

        // The watched ports: two REUSEPORT listeners on 0.0.0.0 each (address:port repeats), [::] v6-only on 443, dual-stack on 9200.
        foreach (var port in watchedTcp[..^1])
        {
            Listen(thread, AddressFamily.InterNetwork, port, reusePort: true);
            Listen(thread, AddressFamily.InterNetwork, port, reusePort: true);
        }

        Listen(thread, AddressFamily.InterNetworkV6, 443, reusePort: false, dualMode: false);
        Listen(thread, AddressFamily.InterNetworkV6, 9200, reusePort: false, dualMode: true);
        Bind(thread, AddressFamily.InterNetwork, 53);
        Bind(thread, AddressFamily.InterNetworkV6, 8082);

        var selection = ListenerSelection.Of(
            watchedTcp.Select(p => new PortKey(p, TransportProtocol.Tcp)).Concat(watchedUdp.Select(p => new PortKey(p, TransportProtocol.Udp))));
        var all = thread.Invoke(SockDiagReader.ReadListeners);
        var filtered = thread.Invoke(() => SockDiagReader.ReadListeners(selection));

        Assert.True(all.Count > 700, $"{all.Count} listeners in the namespace");
        var expected = all
            .Where(l => (l.Protocol == TransportProtocol.Tcp && watchedTcp.Contains(l.Port)) || (l.Protocol == TransportProtocol.Udp && watchedUdp.Contains(l.Port)))
            .Select(Describe)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal((2 * 6) + 1 + 1 + 2, expected.Count);
        Assert.Equal(expected, filtered.Select(Describe).Order(StringComparer.Ordinal));
        Assert.Equal(2, filtered.Count(l => l.Port == 8080 && l.Protocol == TransportProtocol.Tcp));
        Assert.Contains(filtered, l => l.Port == 443 && l.IsIPv6 && l.V6Only == true);
        Assert.Contains(filtered, l => l.Port == 9200 && l.IsIPv6 && l.V6Only == false);
        Assert.Contains(filtered, l => l.Port == 8082 && l.Protocol == TransportProtocol.Udp && l.IsIPv6);

        // Only TCP watched: the UDP dumps are skipped; no port at all: nothing asked.
        var tcpOnly = thread.Invoke(() => SockDiagReader.ReadListeners(ListenerSelection.Of([new PortKey(8081, TransportProtocol.Tcp)])));
        Assert.Equal(2, tcpOnly.Count);
        Assert.All(tcpOnly, l => Assert.Equal(new PortKey(8081, TransportProtocol.Tcp), l.Key));
        Assert.Empty(thread.Invoke(() => SockDiagReader.ReadListeners(ListenerSelection.Of([]))));

        // More runs than one program holds: the kernel lets merged ranges through, the reader keeps the asked ports.
        var many = Enumerable.Range(0, 400).Select(i => new PortKey(7000 + (i * 3), TransportProtocol.Tcp)).Append(new PortKey(9100, TransportProtocol.Tcp)).ToList();
        var manyPorts = many.Select(k => k.Port).ToHashSet();
        var fromMany = thread.Invoke(() => SockDiagReader.ReadListeners(ListenerSelection.Of(many)));
        Assert.Equal(
            all.Where(l => l.Protocol == TransportProtocol.Tcp && manyPorts.Contains(l.Port)).Select(Describe).Order(StringComparer.Ordinal),
            fromMany.Select(Describe).Order(StringComparer.Ordinal));
    }

    private static string Describe(Listener l) => $"{l.Protocol.ToLabel()} {l.Address}:{l.Port} {l.Inode} {l.V6Only}";

    private void Listen(NetnsThread thread, AddressFamily family, int port, bool reusePort, bool dualMode = false)
    {
        var socket = thread.CreateSocket(family, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(socket);
        if (family == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = dualMode;
        }

        if (reusePort)
        {
            socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1)); // SOL_SOCKET, SO_REUSEPORT
        }

        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, port));
        socket.Listen();
    }

    private void Bind(NetnsThread thread, AddressFamily family, int port)
    {
        var socket = thread.CreateSocket(family, SocketType.Dgram, ProtocolType.Udp);
        _sockets.Add(socket);
        if (family == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = false;
        }

        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Loopback, port));
    }
}
