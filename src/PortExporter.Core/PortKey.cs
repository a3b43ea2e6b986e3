namespace PortExporter.Core;

/// <summary>A port number and its transport: the identity of a watched port.</summary>
public readonly record struct PortKey(int Port, TransportProtocol Protocol)
{
    public override string ToString() => $"{Port}/{Protocol.ToLabel()}";
}
