using System.Net;
using System.Net.Sockets;
using System.Text;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Probes;

/// <summary>
/// A UDP service inside a namespace that answers every datagram with "SECRET-BANNER" (one socket, answers to each
/// sender in turn, so concurrent probes never steal each other's answer).
/// </summary>
internal sealed class UdpEcho : IDisposable
{
    private static readonly byte[] Banner = Encoding.ASCII.GetBytes("SECRET-BANNER\n");

    private readonly Socket _socket;
    private readonly Task _serving;

    public UdpEcho(NetnsThread netns, int port)
    {
        _socket = netns.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Any, port));
        _serving = Task.Run(ServeAsync);
    }

    public void Dispose()
    {
        _socket.Dispose();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[2048];
        while (true)
        {
            try
            {
                var received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0));
                await _socket.SendToAsync(Banner, received.RemoteEndPoint);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
