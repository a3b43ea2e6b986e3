namespace PortExporter.Core.Firewall;

/// <summary>The firewall's answer for one watched port: from outside and from inside.</summary>
/// <param name="Outside">A new connection from the outside source on the outside interface.</param>
/// <param name="Inside">A new connection from an inside source (loopback / the host's own subnet).</param>
/// <param name="DroppedPackets">Packet counters of the drop/reject rules matching the port, when the backend keeps them.</param>
/// <param name="Redirect">A DNAT/REDIRECT on the host that sends the port elsewhere, as text, when found.</param>
/// <param name="OutsideConnection">The outside connection that was simulated (source, destination, interface), when one could be.</param>
/// <param name="FirewalldExplanation">With firewalld: the zone outside traffic lands in and whether it opens the port, in its terms.</param>
public sealed record FirewallPortResult(
    FirewallDecision Outside,
    FirewallDecision Inside,
    long? DroppedPackets = null,
    string? Redirect = null,
    PortExporter.Firewall.Evaluation.SimulatedConnection? OutsideConnection = null,
    PortExporter.Firewall.Firewalld.FirewalldExplanation? FirewalldExplanation = null);
