using System.Net;
using System.Net.Sockets;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Backend;

/// <summary>
/// Pure matching of a DNAT target against a namespace: does the namespace own the address, and which of its sockets
/// accept connections to it. A wildcard socket serves every address of its family; an IPv6 wildcard serves IPv4 too
/// unless IPV6_V6ONLY is known to be set (a namespace's <c>net.ipv6.bindv6only</c> starts at 0, and the socket tables
/// of another namespace do not carry the flag); an address-bound socket serves its own address only.
/// </summary>
public static class BackendMatcher
{
    /// <summary>True when <paramref name="address"/> is one of <paramref name="namespaceAddresses"/> (IPv4-mapped forms compared as IPv4).</summary>
    public static bool Owns(IEnumerable<IPAddress> namespaceAddresses, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(namespaceAddresses);
        var wanted = Normalize(address);
        return namespaceAddresses.Any(a => Normalize(a).Equals(wanted));
    }

    /// <summary>The listeners of <paramref name="target"/>'s protocol and port that accept connections to its address.</summary>
    public static IReadOnlyList<Listener> Serving(IEnumerable<Listener> listeners, BackendTarget target)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        ArgumentNullException.ThrowIfNull(target);
        return [.. listeners.Where(l => l.Protocol == target.Protocol && l.Port == target.Port && Serves(l, Normalize(target.Address)))];
    }

    private static bool Serves(Listener listener, IPAddress address)
    {
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (listener.Scope == ListenerScope.Wildcard)
        {
            return v4 ? !listener.IsIPv6 || listener.V6Only != true : listener.IsIPv6;
        }

        return Normalize(listener.Address).Equals(address);
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
