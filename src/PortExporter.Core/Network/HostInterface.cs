using System.Net;

namespace PortExporter.Core.Network;

/// <summary>A network interface of the host and its addresses.</summary>
/// <param name="Name">The interface name (eth0, lo).</param>
/// <param name="Addresses">Its IPv4 and IPv6 addresses.</param>
public sealed record HostInterface(string Name, IReadOnlyList<IPAddress> Addresses)
{
    /// <summary>
    /// The subnets its addresses are on (IPv4: the connected route holding the address; IPv6: the address's prefix
    /// length), the networks whose clients arrive on this interface. Empty when not known.
    /// </summary>
    public IReadOnlyList<IPNetwork> Subnets { get; init; } = [];

    /// <summary>
    /// Why the interface is container plumbing (a container bridge, a bridge's veth port, a tun/tap, see
    /// <see cref="ContainerPlumbing"/>), never an internal network; null for a network clients live on.
    /// </summary>
    public string? Plumbing { get; init; }

    /// <summary>
    /// For a bridge, the port frames from its network come in on (<see cref="ContainerPlumbing.UplinkPort"/>: its first
    /// real link, a NIC, bond or vlan, else its first port), crossed before the bridge hands them to this host (netdev
    /// ingress and the bridge family's chains see them there). Null for no bridge, or when sysfs was not read.
    /// </summary>
    public string? UplinkPort { get; init; }

    /// <summary>The subnet of <paramref name="address"/> with its host bits cleared.</summary>
    public static IPNetwork SubnetOf(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        var bits = Math.Clamp(prefixLength, 0, bytes.Length * 8);
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(bits - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPNetwork(new IPAddress(bytes), bits);
    }
}
