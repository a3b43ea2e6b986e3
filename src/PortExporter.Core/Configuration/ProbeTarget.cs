namespace PortExporter.Core.Configuration;

/// <summary>A target <c>/probe</c> may connect to; nothing else is ever probed on request.</summary>
public sealed record ProbeTarget(string Name, string Address, int Port, TransportProtocol Protocol);
