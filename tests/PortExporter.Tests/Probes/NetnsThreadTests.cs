using System.Net;
using System.Net.Sockets;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Probes;

/// <summary>The namespace thread the probe tests build on: its sockets and interfaces are the namespace's.</summary>
public sealed class NetnsThreadTests
{
    [Fact]
    public void Sockets_and_interfaces_are_the_namespaces()
    {
        using var a = new Netns("nst");
        using var b = new Netns("nst");
        a.Link("eth0", "10.77.0.1/24", b, "eth0", "10.77.0.2/24");
        using var thread = new NetnsThread(a);

        var addresses = thread.Network().HostAddresses().Select(a => a.Address).ToList();
        Assert.Contains(IPAddress.Parse("10.77.0.1"), addresses);
        Assert.DoesNotContain(IPAddress.Parse("10.77.0.2"), addresses);

        // 10.77.0.1 exists only in namespace a: binding to it works only from a socket made there.
        using var inside = thread.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        inside.Bind(new IPEndPoint(IPAddress.Parse("10.77.0.1"), 0));
        using var outside = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var e = Assert.Throws<SocketException>(() => outside.Bind(new IPEndPoint(IPAddress.Parse("10.77.0.1"), 0)));
        Assert.Equal(SocketError.AddressNotAvailable, e.SocketErrorCode);
    }

    [Fact]
    public async Task A_connect_started_in_the_namespace_completes_on_any_thread()
    {
        using var a = new Netns("nst");
        using var b = new Netns("nst");
        a.Link("eth0", "10.77.1.1/24", b, "eth0", "10.77.1.2/24");
        b.Start("socat", "TCP-LISTEN:7100,fork,reuseaddr", "/dev/null");
        b.WaitForListener(7100);
        using var thread = new NetnsThread(a);

        using var socket = thread.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.77.1.2"), 7100));

        Assert.True(socket.Connected);
    }
}
