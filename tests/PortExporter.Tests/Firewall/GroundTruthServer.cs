using System.Net;
using System.Net.Sockets;
using System.Text;
using PortExporter.Core;

namespace PortExporter.Tests.Firewall;

/// <summary>Real listeners in a namespace: TCP accepts and closes, UDP answers every datagram with "ok". Disposed with the test.</summary>
public sealed class GroundTruthServer : IDisposable
{
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();

    public void Listen(string namespaceName, TransportProtocol protocol, int port)
    {
        if (protocol == TransportProtocol.Tcp)
        {
            var listener = NetnsSocket.BindDualStack(namespaceName, SocketType.Stream, port);
            listener.Listen(64);
            _sockets.Add(listener);
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        using var accepted = await listener.AcceptAsync(_stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }
        else
        {
            var socket = NetnsSocket.BindDualStack(namespaceName, SocketType.Dgram, port);
            _sockets.Add(socket);
            _ = Task.Run(async () =>
            {
                var buffer = new byte[2048];
                var answer = Encoding.ASCII.GetBytes("ok");
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), _stop.Token);
                        await socket.SendToAsync(answer, received.RemoteEndPoint, _stop.Token);
                    }
                    catch (SocketException)
                    {
                        // An ICMP error for an earlier answer: keep serving.
                    }
                    catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var s in _sockets)
        {
            s.Dispose();
        }

        _stop.Dispose();
    }
}
