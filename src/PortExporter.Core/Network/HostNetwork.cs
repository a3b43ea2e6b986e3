using System.Net;
using System.Net.Sockets;

namespace PortExporter.Core.Network;

/// <summary>
/// The host's interfaces, addresses and default-route interfaces: enough to know which interface outside
/// traffic arrives on and which address it is sent to. Read once per collection (a host fact, see
/// <see cref="HostNetworkReader"/>); the diagnosis and the firewall's connection planner see the same one. Immutable.
/// </summary>
/// <param name="Interfaces">Every interface with at least one address.</param>
/// <param name="DefaultInterfaceV4">The interface of the IPv4 default route with the lowest metric, or null.</param>
/// <param name="DefaultInterfaceV6">The interface of the IPv6 default route with the lowest metric, or null.</param>
public sealed record HostNetwork(IReadOnlyList<HostInterface> Interfaces, string? DefaultInterfaceV4, string? DefaultInterfaceV6)
{
    /// <summary>The loopback interface's name: what traffic from this host to itself arrives on.</summary>
    public const string LoopbackInterface = "lo";

    public static HostNetwork Empty { get; } = new([], null, null);

    public string? DefaultInterface(int ipVersion) => ipVersion == 6 ? DefaultInterfaceV6 : DefaultInterfaceV4;

    /// <summary>The routes of the main table that are up (none when not read): where a forwarded packet leaves.</summary>
    public IReadOnlyList<HostRoute> Routes { get; init; } = [];

    /// <summary>Whether the kernel forwards (the routing decision of a DNATed connection); null when not read.</summary>
    public ForwardingSysctls? Forwarding { get; init; }

    /// <summary>The IPv4 reverse path filter (a connection the rules accept may still be dropped); null when not read.</summary>
    public ReversePathFilter? ReversePath { get; init; }

    /// <summary>
    /// The interface a packet to <paramref name="address"/> leaves by: the longest matching route, the lowest metric
    /// among equals; null when no route covers it (the kernel would answer "no route to host").
    /// </summary>
    public string? EgressInterface(IPAddress address)
    {
        var a = Normalize(address);
        return Routes.Where(r => r.Destination.BaseAddress.AddressFamily == a.AddressFamily && r.Destination.Contains(a))
            .OrderByDescending(r => r.Destination.PrefixLength).ThenBy(r => r.Metric).FirstOrDefault()?.Interface;
    }

    /// <summary>The interface that holds <paramref name="address"/> (as read, loopback only when lo lists it), or null.</summary>
    public HostInterface? OwnerOf(IPAddress address) =>
        Interfaces.FirstOrDefault(i => i.Addresses.Any(a => a.Equals(address)));

    /// <summary>
    /// The interfaces outside traffic of <paramref name="ipVersion"/> arrives on: the default route's, then every other
    /// interface a default route of that version leaves by (a second uplink), lowest metric first.
    /// </summary>
    public IReadOnlyList<string> OutsideInterfaces(int ipVersion)
    {
        var family = ipVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var uplinks = Routes.Where(r => r.Destination.PrefixLength == 0 && r.Destination.BaseAddress.AddressFamily == family).OrderBy(r => r.Metric).Select(r => r.Interface);
        return [.. (DefaultInterface(ipVersion) is { } name ? uplinks.Prepend(name) : uplinks).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Addresses outside clients reach: those of the interfaces default routes leave by (both families), and the
    /// <see cref="RoutedAddresses"/>.
    /// </summary>
    public IReadOnlyList<IPAddress> OutsideAddresses()
    {
        var names = OutsideInterfaces(4).Concat(OutsideInterfaces(6)).ToHashSet(StringComparer.Ordinal);
        return [.. Interfaces.Where(i => names.Contains(i.Name)).SelectMany(i => i.Addresses).Where(a => !a.IsIPv6LinkLocal).Concat(RoutedAddresses()).Distinct()];
    }

    /// <summary>
    /// The addresses on lo outside 127.0.0.0/8 and ::1: a virtual IP that the network routes to this host (a
    /// direct-routing load balancer's real server, an anycast service) and that no interface answers ARP or neighbour
    /// discovery for. Outside clients reach a service bound to one through the uplinks.
    /// </summary>
    public IReadOnlyList<IPAddress> RoutedAddresses() =>
        [.. Interfaces.Where(i => i.Name == LoopbackInterface).SelectMany(i => i.Addresses)
            .Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a)
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal)
            .Distinct()];

    /// <summary>True when both describe the same interfaces, addresses (in order) and default routes.</summary>
    public bool SameAs(HostNetwork other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(this, other)
            || (DefaultInterfaceV4 == other.DefaultInterfaceV4
                && DefaultInterfaceV6 == other.DefaultInterfaceV6
                && Routes.SequenceEqual(other.Routes)
                && (Forwarding is null ? other.Forwarding is null : Forwarding.SameAs(other.Forwarding))
                && (ReversePath is null ? other.ReversePath is null : ReversePath.SameAs(other.ReversePath))
                && Interfaces.Count == other.Interfaces.Count
                && Interfaces.Zip(other.Interfaces).All(p => p.First.Name == p.Second.Name && p.First.Addresses.SequenceEqual(p.Second.Addresses) && p.First.Subnets.SequenceEqual(p.Second.Subnets) && p.First.Plumbing == p.Second.Plumbing));
    }

    /// <summary>
    /// The host's internal networks of <paramref name="ipVersion"/>: the subnets of its interfaces other than lo, the
    /// interfaces a default route of that version leaves by (<see cref="OutsideInterfaces"/>) and container plumbing
    /// (<see cref="HostInterface.Plumbing"/>), with their interface, link-local subnets left out; in the kernel's
    /// interface order.
    /// </summary>
    public IReadOnlyList<(HostInterface Interface, IPNetwork Subnet)> InternalNetworks(int ipVersion)
    {
        var family = ipVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var outside = OutsideInterfaces(ipVersion);
        return [.. Candidates(family)
            .Where(n => !outside.Contains(n.Interface.Name) && n.Interface.Plumbing is null)];
    }

    /// <summary>Interface names that hold a subnet an internal network could be on (not lo, not link-local): the ones worth asking sysfs about.</summary>
    public IReadOnlyList<string> InternalCandidates() =>
        [.. Candidates(AddressFamily.InterNetwork).Concat(Candidates(AddressFamily.InterNetworkV6)).Select(n => n.Interface.Name).Distinct(StringComparer.Ordinal)];

    private IEnumerable<(HostInterface Interface, IPNetwork Subnet)> Candidates(AddressFamily family) =>
        Interfaces
            .Where(i => i.Name != LoopbackInterface)
            .SelectMany(i => i.Subnets.Where(s => s.BaseAddress.AddressFamily == family && !s.BaseAddress.IsIPv6LinkLocal).Select(s => (i, s)));

    /// <summary>The interface (not lo) whose subnet holds <paramref name="address"/>: where a client with that address arrives directly; else null.</summary>
    public HostInterface? ConnectedInterface(IPAddress address)
    {
        var a = Normalize(address);
        return Interfaces.Where(i => i.Name != LoopbackInterface)
            .Select(i => (Interface: i, Best: i.Subnets.Where(s => s.Contains(a)).Select(s => s.PrefixLength).DefaultIfEmpty(-1).Max()))
            .Where(x => x.Best >= 0)
            .OrderByDescending(x => x.Best)
            .Select(x => x.Interface)
            .FirstOrDefault();
    }

    /// <summary>The name of the interface that owns <paramref name="address"/> (loopback addresses: lo), or null.</summary>
    public string? InterfaceOf(IPAddress address)
    {
        var a = Normalize(address);
        if (IPAddress.IsLoopback(a))
        {
            return LoopbackInterface;
        }

        return Interfaces.FirstOrDefault(i => i.Addresses.Contains(a))?.Name;
    }

    /// <summary>True when the address is one of this host's (loopback included).</summary>
    public bool IsLocal(IPAddress address)
    {
        var a = Normalize(address);
        return IPAddress.IsLoopback(a) || Interfaces.Any(i => i.Addresses.Contains(a));
    }

    /// <summary>The address outside clients reach on <paramref name="interfaceName"/>: the first global one of that version.</summary>
    public IPAddress? PrimaryAddress(string interfaceName, int ipVersion)
    {
        var family = ipVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var candidates = Interfaces.Where(i => i.Name == interfaceName).SelectMany(i => i.Addresses).Where(a => a.AddressFamily == family).ToList();
        return candidates.FirstOrDefault(a => !a.IsIPv6LinkLocal && !a.IsIPv6SiteLocal) ?? candidates.FirstOrDefault();
    }

    /// <summary>The first interface other than lo with an address of <paramref name="ipVersion"/>, when no default route exists.</summary>
    public string? FirstNonLoopbackInterface(int ipVersion)
    {
        var family = ipVersion == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return Interfaces.FirstOrDefault(i => i.Name != LoopbackInterface && i.Addresses.Any(a => a.AddressFamily == family && !a.IsIPv6LinkLocal))?.Name;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
