namespace PortExporter.Core.Probes;

/// <summary>One probe the collector will run for a watched port.</summary>
/// <param name="Vantage">loopback, internal or external.</param>
/// <param name="Host">An address, or for external endpoints possibly a host name.</param>
/// <param name="Port">The port dialled (an external endpoint's may differ from the watched port: NAT).</param>
public sealed record PlannedProbe(string Vantage, string Host, int Port);
