using System.Net;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>
/// The intent auto-watch infers for a port nobody configured, from what it saw first: a loopback-only listener is
/// <c>local</c>; listeners only on addresses that are not outside addresses (not of a default-route interface) are
/// <c>internal</c>; a wildcard or outside address is decided by the first firewall verdict from outside (accepted:
/// <c>public</c>, blocked: <c>internal</c>). Pure.
/// </summary>
public static class AutoWatchIntent
{
    /// <summary>The intent from the listeners alone; null when it depends on the firewall (wildcard / outside address).</summary>
    public static PortExpose? FromListeners(IReadOnlyList<Listener> listeners, HostNetwork? network)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        if (listeners.Count > 0 && listeners.All(l => l.Scope == ListenerScope.Loopback))
        {
            return PortExpose.Local;
        }

        if (listeners.Any(l => l.Scope == ListenerScope.Wildcard) || network is null)
        {
            return null;
        }

        var outside = network.OutsideAddresses();
        return listeners.Where(l => l.Scope != ListenerScope.Loopback).Any(l => outside.Contains(Unmapped(l.Address)))
            ? null
            : PortExpose.Internal;
    }

    /// <summary>The intent from the first verdict for a new connection from outside; null when it is unknown.</summary>
    public static PortExpose? FromFirstVerdict(FirewallVerdict outside) => outside switch
    {
        FirewallVerdict.Accept => PortExpose.Public,
        FirewallVerdict.Drop or FirewallVerdict.Reject => PortExpose.Internal,
        _ => null,
    };

    private static IPAddress Unmapped(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
