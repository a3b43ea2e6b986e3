using System.Globalization;
using System.Net;

namespace PortExporter.Core.Backend;

/// <summary>Where a DNAT sends a watched port's connections: the translated address, port and protocol.</summary>
public sealed record BackendTarget(IPAddress Address, int Port, TransportProtocol Protocol)
{
    /// <summary>The <c>backend</c> label: <c>172.31.0.2:80</c>, <c>[fd00::2]:80</c>.</summary>
    public string Label => new IPEndPoint(Address, Port).ToString();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Label}/{Protocol.ToLabel()}");
}
