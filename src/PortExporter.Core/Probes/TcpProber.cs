using System.Net;
using System.Net.Sockets;

namespace PortExporter.Core.Probes;

/// <summary>
/// A TCP probe: a connect with a deadline, then a normal close. Connected is success; nothing is sent or read.
/// Refused (closed port, REJECT icmp-port-unreachable or tcp-reset), unreachable (ICMP host/net unreachable,
/// admin-prohibited), timeout (DROP, or a NAT that forwards nothing) are told apart. Thread-safe.
/// </summary>
public sealed class TcpProber(ProbeNetwork network, TimeProvider time) : IProber
{
    public TransportProtocol Protocol => TransportProtocol.Tcp;

    public async Task<ProbeResult> ProbeAsync(
        string vantage, IPEndPoint endpoint, DateTimeOffset deadline, CancellationToken cancellationToken, ProbeStepLog? steps = null)
    {
        var address = Probing.Label(endpoint);
        var started = time.GetTimestamp();
        using var window = Probing.Window(deadline, time, cancellationToken);
        steps?.Add($"{address}: tcp connect started");
        try
        {
            using var socket = network.CreateSocket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint, window.Token).ConfigureAwait(false);
            return Probing.Succeeded(vantage, address, "connected", time.GetElapsedTime(started), steps);
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
}
