namespace PortExporter.Core.Probes;

/// <summary>One probe result read from a remote PortExporter's <c>/probe</c> answer.</summary>
/// <param name="Service">The remote's probe target name (its <c>service</c> label).</param>
/// <param name="Port">The port the remote dialled.</param>
/// <param name="Protocol">tcp or udp.</param>
/// <param name="Address">The address:port the remote dialled.</param>
/// <param name="Success">Whether it connected (TCP) or got an answer (UDP).</param>
/// <param name="Reason">Why not, <see cref="ProbeFailureReason.None"/> on success.</param>
/// <param name="Duration">How long the remote's probe took.</param>
public sealed record RemoteProbeResult(
    string Service, int Port, TransportProtocol Protocol, string Address, bool Success, ProbeFailureReason Reason, TimeSpan Duration);
