namespace PortExporter.Core.Probes;

/// <summary>One probe of one watched port from one vantage point.</summary>
/// <param name="Vantage">loopback, internal, external (this host's own probes) or a remote vantage's name.</param>
/// <param name="Address">The address:port dialled.</param>
/// <param name="Success">Connected (TCP) or answered (UDP).</param>
/// <param name="Reason"><see cref="ProbeFailureReason.None"/> on success.</param>
/// <param name="Duration">Wall time of the probe.</param>
public sealed record ProbeResult(string Vantage, string Address, bool Success, ProbeFailureReason Reason, TimeSpan Duration);
