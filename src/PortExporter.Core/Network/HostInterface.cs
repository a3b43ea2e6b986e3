using System.Net;

namespace PortExporter.Core.Network;

/// <summary>A network interface of this host and its addresses.</summary>
public sealed record HostInterface(string Name, IReadOnlyList<IPAddress> Addresses, bool IsLoopback);
