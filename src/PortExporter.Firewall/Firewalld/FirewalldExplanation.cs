namespace PortExporter.Firewall.Firewalld;

/// <summary>What firewalld's configuration says about one connection: the zone it lands in and whether that zone opens its port.</summary>
/// <param name="Zone">The zone the connection lands in (by source, else by interface, else the default zone).</param>
/// <param name="Binding">How it lands there: <c>interfaces eth0</c>, <c>source 10.10.0.0/16</c>, <c>default zone, ...</c>.</param>
/// <param name="Opens">True when the zone opens the port (target ACCEPT, a port, a service or the whole protocol).</param>
/// <param name="Text">The sentence in firewalld's terms: "zone public (interfaces eth0) does not open 8080/tcp (...)".</param>
public sealed record FirewalldExplanation(string Zone, string Binding, bool Opens, string Text)
{
    public override string ToString() => Text;
}
