using System.Net;

namespace PortExporter.Core.Network;

/// <summary>A network interface of the host and its addresses.</summary>
/// <param name="Name">The interface name (eth0, lo).</param>
/// <param name="Addresses">Its IPv4 and IPv6 addresses.</param>
public sealed record HostInterface(string Name, IReadOnlyList<IPAddress> Addresses);
