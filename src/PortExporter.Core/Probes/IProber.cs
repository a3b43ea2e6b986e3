using System.Net;

namespace PortExporter.Core.Probes;

/// <summary>
/// One transport's probe (blackbox style: one prober per protocol, one signature). A probe never throws for a
/// failed connection: the failure is the result, with its <see cref="ProbeFailureReason"/>. It throws only
/// <see cref="OperationCanceledException"/> when the caller's token (not the deadline) is cancelled.
/// Thread-safe.
/// </summary>
public interface IProber
{
    TransportProtocol Protocol { get; }

    /// <summary>Probes <paramref name="endpoint"/>, giving up at <paramref name="deadline"/>.</summary>
    Task<ProbeResult> ProbeAsync(
        string vantage, IPEndPoint endpoint, DateTimeOffset deadline, CancellationToken cancellationToken, ProbeStepLog? steps = null);

    /// <summary>Resolves <paramref name="host"/> (a failure is <see cref="ProbeFailureReason.Dns"/>) and probes the first address.</summary>
    Task<ProbeResult> ProbeAsync(
        string vantage, string host, int port, DateTimeOffset deadline, CancellationToken cancellationToken, ProbeStepLog? steps = null);
}
