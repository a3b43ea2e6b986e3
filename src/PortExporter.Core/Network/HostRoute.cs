using System.Net;

namespace PortExporter.Core.Network;

/// <summary>A route of the host's main table: the destinations it covers and the interface it sends them out of.</summary>
/// <param name="Destination">The destination prefix (0.0.0.0/0 or ::/0 for a default route).</param>
/// <param name="Interface">The interface the route sends packets out of.</param>
/// <param name="Metric">The route's metric (lower wins among equal prefixes).</param>
public sealed record HostRoute(IPNetwork Destination, string Interface, long Metric);
