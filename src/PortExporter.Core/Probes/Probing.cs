using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PortExporter.Core.Probes;

/// <summary>What the TCP and UDP probers share: the error-to-reason mapping, name resolution with a deadline, the probe window.</summary>
internal static class Probing
{
    /// <summary>
    /// The reason a socket error stands for. Linux reports: a closed port, a REJECT with icmp-port-unreachable and a
    /// REJECT with tcp-reset as ECONNREFUSED (a reset answering a SYN is a refusal); ICMP host/net unreachable and
    /// admin-prohibited (REJECT icmp-admin-prohibited, nft "reject with icmp admin-prohibited") as EHOSTUNREACH /
    /// ENETUNREACH; a local OUTPUT rule that drops as EPERM.
    /// </summary>
    public static ProbeFailureReason ReasonOf(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => ProbeFailureReason.Refused,
        SocketError.TimedOut => ProbeFailureReason.Timeout,
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown
            or SocketError.AccessDenied => ProbeFailureReason.Unreachable,
        SocketError.ConnectionReset or SocketError.ConnectionAborted => ProbeFailureReason.Reset,
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => ProbeFailureReason.Dns,
        _ => ProbeFailureReason.Error,
    };

    /// <summary>The address label of an endpoint: <c>10.0.0.1:80</c>, <c>[::1]:80</c>.</summary>
    public static string Label(IPEndPoint endpoint) => endpoint.ToString();

    /// <summary>The address label of a configured host and port.</summary>
    public static string Label(string host, int port) =>
        IPAddress.TryParse(host, out var ip) ? Label(new IPEndPoint(ip, port))
        : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + "s";

    /// <summary>A token cancelled at <paramref name="deadline"/> or with <paramref name="cancellationToken"/>.</summary>
    public static ProbeWindow Window(DateTimeOffset deadline, TimeProvider time, CancellationToken cancellationToken) =>
        new(deadline - time.GetUtcNow(), time, cancellationToken);

    /// <summary>Resolves (when needed) and probes; a resolution failure or a resolution still running at the deadline is <c>dns</c>.</summary>
    public static async Task<ProbeResult> ResolveThenProbeAsync(
        IProber prober,
        ProbeNetwork network,
        TimeProvider time,
        string vantage,
        string host,
        int port,
        DateTimeOffset deadline,
        ProbeStepLog? steps,
        CancellationToken cancellationToken)
    {
        var label = Label(host, port);
        if (IPAddress.TryParse(host, out var literal))
        {
            return await prober.ProbeAsync(vantage, new IPEndPoint(literal, port), deadline, cancellationToken, steps).ConfigureAwait(false);
        }

        var started = time.GetTimestamp();
        steps?.Add($"resolving {host}");
        IPAddress? address = null;
        string problem;
        using (var window = Window(deadline, time, cancellationToken))
        {
            try
            {
                var addresses = await network.Resolve(host, window.Token).WaitAsync(window.Token).ConfigureAwait(false);
                address = addresses.FirstOrDefault();
                problem = "no address";
            }
            catch (SocketException e)
            {
                problem = e.SocketErrorCode.ToString();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = "no answer before the deadline";
            }
        }

        if (address is null)
        {
            var failed = time.GetElapsedTime(started);
            steps?.Add($"resolving {host} failed ({problem}) after {Seconds(failed)}: reason dns");
            return new ProbeResult(vantage, label, false, ProbeFailureReason.Dns, failed);
        }

        steps?.Add($"resolved {host} to {address}");
        var result = await prober.ProbeAsync(vantage, new IPEndPoint(address, port), deadline, cancellationToken, steps).ConfigureAwait(false);
        return result with { Address = label, Duration = time.GetElapsedTime(started) };
    }

    /// <summary>The result of a probe that ended with <paramref name="reason"/>, logged as a step.</summary>
    public static ProbeResult Failed(string vantage, string address, ProbeFailureReason reason, string cause, TimeSpan duration, ProbeStepLog? steps)
    {
        steps?.Add($"{address}: failed ({cause}) after {Seconds(duration)}: reason {reason.ToLabel()}");
        return new ProbeResult(vantage, address, false, reason, duration);
    }

    /// <summary>The result of a probe that succeeded, logged as a step.</summary>
    public static ProbeResult Succeeded(string vantage, string address, string what, TimeSpan duration, ProbeStepLog? steps)
    {
        steps?.Add($"{address}: {what} after {Seconds(duration)}: success");
        return new ProbeResult(vantage, address, true, ProbeFailureReason.None, duration);
    }
}
