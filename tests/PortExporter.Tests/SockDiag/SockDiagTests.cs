using System.Net;
using System.Net.Sockets;
using PortExporter.Core;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.SockDiag;

/// <summary>The netlink reader against this process's own kernel sockets (loopback and ephemeral ports only).</summary>
public sealed class SockDiagTests
{
    [Fact]
    public void Finds_listeners_with_their_v6only_flag_and_inode()
    {
        using var v4 = new TcpListener(IPAddress.Loopback, 0);
        v4.Start();
        using var v6only = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = false };
        v6only.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        v6only.Listen();
        using var dual = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        dual.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        dual.Listen();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        var listeners = SockDiagReader.ReadListeners();

        var v4Port = ((IPEndPoint)v4.LocalEndpoint).Port;
        var found = Assert.Single(listeners, l => l.Port == v4Port && l.Protocol == TransportProtocol.Tcp);
        Assert.Equal(IPAddress.Loopback, found.Address);
        Assert.Equal(ListenerScope.Loopback, found.Scope);
        Assert.NotEqual(0UL, found.Inode);

        var only6 = Assert.Single(listeners, l => l.Port == ((IPEndPoint)v6only.LocalEndPoint!).Port && l.Protocol == TransportProtocol.Tcp);
        Assert.True(only6.V6Only);
        Assert.False(only6.AcceptsIPv4);
        var both = Assert.Single(listeners, l => l.Port == ((IPEndPoint)dual.LocalEndPoint!).Port && l.Protocol == TransportProtocol.Tcp);
        Assert.False(both.V6Only);
        Assert.True(both.AcceptsIPv4);
        Assert.Equal(ListenerScope.Wildcard, both.Scope);

        Assert.Contains(listeners, l => l.Protocol == TransportProtocol.Udp && l.Port == ((IPEndPoint)udp.Client.LocalEndPoint!).Port);
    }

    [Fact]
    public void A_listener_reports_its_backlog_and_the_connections_it_has_not_accepted()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(2);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        AcceptQueue? Queue() => Assert.Single(SockDiagReader.ReadListeners(), l => l.Port == endpoint.Port && l.Protocol == TransportProtocol.Tcp).AcceptQueue;

        Assert.Equal(new AcceptQueue(0, 2), Queue());
        Assert.False(Queue()!.Value.Full);

        // Three handshakes complete into a backlog of two (the kernel takes one more than the backlog); none is accepted.
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                clients.Add(client);
                client.Connect(endpoint);
            }

            Assert.Equal(new AcceptQueue(3, 2), Queue());
            Assert.True(Queue()!.Value.Full);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void The_inode_matches_the_one_proc_net_tcp_shows()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var hexPort = $":{port:X4} ";
        var procLine = File.ReadAllLines("/proc/net/tcp").Single(l => l.Contains("0100007F" + hexPort, StringComparison.Ordinal));
        var procInode = ulong.Parse(procLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[9], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(SockDiagReader.ReadListeners(), l => l.Port == port && l.Inode == procInode);
    }

    [Fact]
    public void Truncated_kernel_answers_are_a_format_error_never_a_crash()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var raw = SockDiagReader.DumpRaw(ipv6: false, TransportProtocol.Tcp).First(b => b.Length > 100);
        for (var cut = 1; cut < 100; cut++)
        {
            var truncated = raw.AsSpan(0, raw.Length - cut).ToArray();
            var listeners = new List<Listener>();
            try
            {
                SockDiagParser.Parse(truncated, TransportProtocol.Tcp, listeners);
            }
            catch (FormatException e)
            {
                Assert.StartsWith("sock_diag:", e.Message, StringComparison.Ordinal);
            }
        }

        var garbage = new byte[64];
        new Random(7).NextBytes(garbage);
        garbage[0] = 200;
        Assert.Throws<FormatException>(() => SockDiagParser.Parse(garbage, TransportProtocol.Tcp, []));
    }
}
