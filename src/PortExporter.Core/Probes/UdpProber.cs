using System.Net;
using System.Net.Sockets;

namespace PortExporter.Core.Probes;

/// <summary>
/// A UDP probe: a connected UDP socket sends <see cref="ProbeLimits.UdpPayload"/> (again halfway to the deadline,
/// in case the first was lost) and waits for any datagram from the target. An answer is success; what it holds is
/// read into a scratch buffer and discarded. ICMP port unreachable surfaces as ECONNREFUSED (refused); ICMP
/// host/net unreachable and admin-prohibited as EHOSTUNREACH / ENETUNREACH (unreachable; IP_RECVERR is set so the
/// kernel reports the "soft" host-unreachable too); silence is a failure with reason <c>timeout</c> ("no answer"):
/// a DROP, or a service that ignores the datagram. Thread-safe.
/// </summary>
public sealed class UdpProber(ProbeNetwork network, TimeProvider time) : IProber
{
    private const int SolIp = 0;
    private const int IpRecvErr = 11;
    private const int SolIpv6 = 41;
    private const int Ipv6RecvErr = 25;

    public TransportProtocol Protocol => TransportProtocol.Udp;

    public async Task<ProbeResult> ProbeAsync(
        string vantage, IPEndPoint endpoint, DateTimeOffset deadline, CancellationToken cancellationToken, ProbeStepLog? steps = null)
    {
        var address = Probing.Label(endpoint);
        var started = time.GetTimestamp();
        using var window = Probing.Window(deadline, time, cancellationToken);
        steps?.Add($"{address}: udp datagram sent");
        try
        {
            using var socket = network.CreateSocket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            ReportIcmpErrors(socket);
            await socket.ConnectAsync(endpoint, window.Token).ConfigureAwait(false);
            var buffer = new byte[ProbeLimits.UdpReceiveBuffer];
            await socket.SendAsync(ProbeLimits.UdpPayload.ToArray(), SocketFlags.None, window.Token).ConfigureAwait(false);
            var answer = socket.ReceiveAsync(buffer, SocketFlags.None, window.Token).AsTask();
            var resendAfter = (deadline - time.GetUtcNow()) / 2;
            if (resendAfter > TimeSpan.Zero
                && await Task.WhenAny(answer, Task.Delay(resendAfter, time, window.Token)).ConfigureAwait(false) != answer
                && !window.Token.IsCancellationRequested)
            {
                steps?.Add($"{address}: no answer yet, datagram sent again");
                await socket.SendAsync(ProbeLimits.UdpPayload.ToArray(), SocketFlags.None, window.Token).ConfigureAwait(false);
            }

            await answer.ConfigureAwait(false);
            return Probing.Succeeded(vantage, address, "answered", time.GetElapsedTime(started), steps);
        }
        catch (SocketException e)
        {
            return Probing.Failed(vantage, address, Probing.ReasonOf(e.SocketErrorCode), e.SocketErrorCode.ToString(), time.GetElapsedTime(started), steps);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Probing.Failed(vantage, address, ProbeFailureReason.Timeout, "no answer before the deadline", time.GetElapsedTime(started), steps);
        }
    }

    public Task<ProbeResult> ProbeAsync(
        string vantage, string host, int port, DateTimeOffset deadline, CancellationToken cancellationToken, ProbeStepLog? steps = null) =>
        Probing.ResolveThenProbeAsync(this, network, time, vantage, host, port, deadline, steps, cancellationToken);

    private static void ReportIcmpErrors(Socket socket)
    {
        Span<byte> on = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(on, 1);
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.SetRawSocketOption(SolIpv6, Ipv6RecvErr, on);
        }
        else
        {
            socket.SetRawSocketOption(SolIp, IpRecvErr, on);
        }
    }
}
