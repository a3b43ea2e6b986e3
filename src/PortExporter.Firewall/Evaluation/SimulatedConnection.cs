using System.Net;

namespace PortExporter.Firewall.Evaluation;

/// <summary>The first packet of a new connection the evaluator walks through the ruleset (a TCP SYN or a UDP datagram).</summary>
/// <param name="Origin">Outside or inside.</param>
/// <param name="Source">The client's address.</param>
/// <param name="Destination">The address it connects to.</param>
/// <param name="Interface">The interface the packet arrives on (lo for an inside connection).</param>
/// <param name="Protocol">tcp or udp.</param>
/// <param name="Port">The destination port.</param>
public sealed record SimulatedConnection(ConnectionOrigin Origin, IPAddress Source, IPAddress Destination, string Interface, TransportProtocol Protocol, int Port)
{
    /// <summary>
    /// When <see cref="Interface"/> is a bridge: the port its frames come in on, which they cross first (that device's
    /// netdev ingress, then the bridge family's prerouting and input) before the bridge hands them to this host. Null
    /// when the interface is no bridge, or the port is not known.
    /// </summary>
    public string? BridgePort { get; init; }

    public int IpVersion => FirewallValueParser.VersionOf(Destination);

    public override string ToString() =>
        $"{Protocol.ToLabel()} {Format(Source)} -> {Format(Destination)}:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)} on {Interface}{(BridgePort is { } port ? $" (port {port})" : string.Empty)}";

    private static string Format(IPAddress a) => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString();
}
