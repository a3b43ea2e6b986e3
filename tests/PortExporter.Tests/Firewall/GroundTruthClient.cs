using System.Net;
using System.Net.Sockets;
using System.Text;
using PortExporter.Core;
using PortExporter.Core.Firewall;
using PortExporter.Firewall.Evaluation;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// Really connects from a namespace, from the simulated source address, and says what happened in verdict terms:
/// connected / answered = accept, refused or unreachable = reject, nothing within the timeout = drop.
/// </summary>
public static class GroundTruthClient
{
    /// <summary>Long enough for one SYN retransmission (1 s), so a packet lost to neighbour discovery is not a drop.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2.5);

    public static async Task<(FirewallVerdict Verdict, string What)> TryAsync(string namespaceName, SimulatedConnection c)
    {
        var family = c.Destination.AddressFamily;
        using var socket = NetnsSocket.Create(namespaceName, family, c.Protocol == TransportProtocol.Tcp ? SocketType.Stream : SocketType.Dgram, c.Protocol == TransportProtocol.Tcp ? ProtocolType.Tcp : ProtocolType.Udp);
        socket.Bind(new IPEndPoint(c.Source, 0));
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(c.Destination, c.Port), cts.Token);
            if (c.Protocol == TransportProtocol.Tcp)
            {
                return (FirewallVerdict.Accept, "connected");
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes("probe"), cts.Token);
            var buffer = new byte[64];
            var n = await socket.ReceiveAsync(buffer, cts.Token);
            return (FirewallVerdict.Accept, $"answered '{Encoding.ASCII.GetString(buffer, 0, n)}'");
        }
        catch (OperationCanceledException)
        {
            return (FirewallVerdict.Drop, "no answer (timed out)");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.AccessDenied or SocketError.ProtocolNotSupported or SocketError.ConnectionReset)
        {
            return (FirewallVerdict.Reject, e.SocketErrorCode.ToString());
        }
    }
}
