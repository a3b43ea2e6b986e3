using System.Net;
using System.Net.Sockets;
using PortExporter.Core.Configuration;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Probes;

/// <summary>
/// Which addresses to probe for one watched port: the case's <c>telnet 127.0.0.1 PORT</c>,
/// <c>telnet INTERNAL_IP PORT</c> and <c>telnet EXTERNAL_IP PORT</c>. Pure.
/// <list type="bullet">
/// <item>loopback: 127.0.0.1 and ::1, each where a listener takes it (a specific address, an IPv6-only socket, a
/// listener on another address or bound to another interface refuses it by design, which is no evidence); 127.0.0.1
/// alone when nothing listens.</item>
/// <item>internal: the config's <c>bind</c>, then the specific non-loopback addresses listeners are bound to, then
/// (for a wildcard listener or wildcard bind, or when nothing else names an address, e.g. a listener only on
/// 127.0.0.1 or none at all) the host's own non-loopback, non-link-local addresses of the families the listener
/// takes (of its interface only, for a listener bound to one: SO_BINDTODEVICE); at most <see cref="ProbeLimits.MaxInternalAddressesPerPort"/>, IPv4 first.</item>
/// <item>external: every <c>external</c> endpoint from the config, as written (names are resolved when probed).</item>
/// </list>
/// </summary>
public static class ProbePlanner
{
    public static IReadOnlyList<PlannedProbe> Plan(PortSpec port, IReadOnlyList<Listener> listeners, IReadOnlyList<InterfaceAddress> hostAddresses)
    {
        var plan = new List<PlannedProbe>();
        foreach (var loopback in LoopbackAddresses(listeners))
        {
            plan.Add(new(ProbeVantageNames.Loopback, loopback.ToString(), port.Port));
        }

        foreach (var address in InternalAddresses(port, listeners, hostAddresses))
        {
            plan.Add(new(ProbeVantageNames.Internal, address.ToString(), port.Port));
        }

        foreach (var external in port.ExternalEndpoints)
        {
            var probe = new PlannedProbe(ProbeVantageNames.External, external.Host, external.Port);
            if (!plan.Contains(probe))
            {
                plan.Add(probe);
            }
        }

        return plan;
    }

    private static IEnumerable<IPAddress> LoopbackAddresses(IReadOnlyList<Listener> listeners) =>
        listeners.Count == 0
            ? [IPAddress.Loopback]
            : new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }.Where(a => listeners.Any(l => ListenerExposure.Covers(l, a)));

    private static List<IPAddress> InternalAddresses(PortSpec port, IReadOnlyList<Listener> listeners, IReadOnlyList<InterfaceAddress> hostAddresses)
    {
        var named = new List<IPAddress>();
        var wantV4 = false;
        var wantV6 = false;

        // The interfaces every wildcard listener is bound to; null while one is bound to none (it takes every address).
        HashSet<string>? devices = listeners.Any(l => l.Scope == ListenerScope.Wildcard) ? [] : null;
        if (port.Bind is { } bind)
        {
            if (IsWildcard(bind))
            {
                wantV4 |= bind.AddressFamily == AddressFamily.InterNetwork || bind.Equals(IPAddress.IPv6Any);
                wantV6 |= bind.AddressFamily == AddressFamily.InterNetworkV6;
            }
            else if (IsProbeable(Unmapped(bind)))
            {
                named.Add(Unmapped(bind));
            }
        }

        foreach (var listener in listeners)
        {
            switch (listener.Scope)
            {
                case ListenerScope.Wildcard:
                    wantV4 |= listener.AcceptsIPv4;
                    wantV6 |= listener.IsIPv6;
                    if (listener.Device is { } device)
                    {
                        devices?.Add(device);
                    }
                    else
                    {
                        devices = null;
                    }

                    break;
                case ListenerScope.Address when IsProbeable(Unmapped(listener.Address)):
                    named.Add(Unmapped(listener.Address));
                    break;
            }
        }

        if (named.Count == 0 && !wantV4 && !wantV6)
        {
            wantV4 = wantV6 = true;
        }

        var own = hostAddresses
            .Where(h => devices is null || h.Interface is null || devices.Contains(h.Interface))
            .Select(h => Unmapped(h.Address))
            .Where(a => IsProbeable(a)
                && ((wantV4 && a.AddressFamily == AddressFamily.InterNetwork) || (wantV6 && a.AddressFamily == AddressFamily.InterNetworkV6)))
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1);

        return [.. named.Concat(own).Distinct().Take(ProbeLimits.MaxInternalAddressesPerPort)];
    }

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static bool IsProbeable(IPAddress address) =>
        !IPAddress.IsLoopback(address) && !IsWildcard(address) && !address.IsIPv6LinkLocal && !address.IsIPv6Multicast
        && !(address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224);
}
