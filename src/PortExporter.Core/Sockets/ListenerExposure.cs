using System.Net;
using System.Net.Sockets;
using PortExporter.Core.Configuration;
using PortExporter.Core.Network;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Whether a watched port's listeners take traffic on the outside path. With a <c>bind</c> address configured:
/// a listener on that address, or a wildcard that covers it (0.0.0.0 covers IPv4, [::] covers IPv6 and, unless it
/// is IPv6-only, IPv4 too). Without one: any listener that is not loopback. Pure.
/// </summary>
public static class ListenerExposure
{
    /// <summary>
    /// True when some listener of <paramref name="port"/> accepts traffic from outside. A listener bound to an
    /// interface (SO_BINDTODEVICE) counts only when it is bound to the one that holds the <c>bind</c> address, or without
    /// one, to an interface outside traffic arrives on (<paramref name="network"/>'s uplinks; any but <c>lo</c> when the
    /// network is not known).
    /// </summary>
    public static bool IsExposed(PortSpec port, IEnumerable<Listener> listeners, HostNetwork? network = null) =>
        port.Bind is { } bind
            ? listeners.Any(l => Covers(l, bind) && (l.Device is null || network?.OwnerOf(bind) is not { } owner || owner.Name == l.Device))
            : listeners.Any(l => l.Scope != ListenerScope.Loopback && (l.Device is null || FacesOutside(l.Device, network)));

    private static bool FacesOutside(string device, HostNetwork? network) =>
        device != HostNetwork.LoopbackInterface
        && (network is null || network.OutsideInterfaces(4).Contains(device, StringComparer.Ordinal) || network.OutsideInterfaces(6).Contains(device, StringComparer.Ordinal));

    /// <summary>True when <paramref name="listener"/> accepts connections to <paramref name="bind"/>.</summary>
    /// <remarks>
    /// A configured wildcard bind (0.0.0.0 or ::) asks for a wildcard listener. A [::] listener whose IPV6_V6ONLY
    /// is unknown counts as dual-stack, the Linux default. An IPv4-mapped listener address (::ffff:a.b.c.d) is
    /// the IPv4 address it maps. A listener bound to <c>lo</c> takes only loopback addresses, one bound to another
    /// interface none (which interface holds another address needs the host's network: see <c>ListenerFacts.Serves</c>).
    /// </remarks>
    public static bool Covers(Listener listener, IPAddress bind)
    {
        var wanted = bind.IsIPv4MappedToIPv6 ? bind.MapToIPv4() : bind;
        var address = listener.Address.IsIPv4MappedToIPv6 ? listener.Address.MapToIPv4() : listener.Address;
        var wantedIPv4 = wanted.AddressFamily == AddressFamily.InterNetwork;
        if (listener.Device is { } device && (device == HostNetwork.LoopbackInterface) != IPAddress.IsLoopback(wanted))
        {
            return false;
        }

        if (listener.Scope == ListenerScope.Wildcard)
        {
            return address.AddressFamily == AddressFamily.InterNetwork
                ? wantedIPv4
                : !wantedIPv4 || listener.V6Only != true;
        }

        return address.Equals(wanted);
    }
}
