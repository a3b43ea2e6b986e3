using System.Net;
using System.Net.Sockets;
using PortExporter.Core.Configuration;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;
using PortExporter.Firewall.Evaluation;

namespace PortExporter.Core.Firewall;

/// <summary>
/// Chooses, per watched port, the connections to simulate. The rule for the address family: the family of the
/// port's <c>bind</c> address when the config gives one; otherwise the family of its <c>external</c> addresses when
/// they are all of one (the way outside clients come in); otherwise IPv6 when the port has listeners and none of
/// them takes IPv4 (an IPv6-only service); otherwise IPv4, or IPv6 when the host has no IPv4 outside interface.
/// <list type="bullet">
/// <item>Outside interface: the one owning <c>bind</c>; else the interface of the default route of that family
/// (lowest metric); else the first non-loopback interface with an address of that family.</item>
/// <item>Outside destination: <c>bind</c>; else, when the port's listeners are on no wildcard, the first of their
/// addresses on an interface a default route leaves by (a second address, a second uplink), with that interface; else
/// that interface's first global address.</item>
/// <item>Outside over IPv6 too (<see cref="ConnectionPlan.OtherOutside"/>) when IPv4 was chosen by default, the
/// listeners also serve IPv6 and the host has an IPv6 default route, or without one, an IPv6 subnet on the IPv4
/// outside interface (clients on that network, from its first address; for a public port): a dual-stack service is
/// reached both ways. When no listener on this host serves IPv6, asked too, counting only where a DNAT sends it on (a
/// container published over both families: its IPv6 backend is checked as well).</item>
/// <item>Outside source: <c>firewall.external_source</c> when it is of that family, else 203.0.113.1 /
/// 2001:db8::1 (documentation ranges).</item>
/// <item>Inside: a client on each internal network of the port's family, and of the other family when the service
/// takes it too and neither <c>bind</c> nor <c>external</c> chose one (<see cref="HostNetwork.InternalNetworks"/>:
/// a subnet of an interface other than lo, the default-route one and container plumbing; the network of the
/// interface of <c>bind</c> first; at most <see cref="MaxInsideNetworks"/>): the subnet's first usable address that
/// is not this host's, arriving on that interface, to <c>bind</c> or the interface's own address in that subnet.
/// With no internal network, or <c>bind</c> on loopback: from and to <c>bind</c> (else 127.0.0.1 / ::1) on lo.</item>
/// <item>Each <c>from:</c> range, in its own family: its first usable address and its last (the broadcast left
/// out), each the nearest that is not this host's, arriving on the interface whose subnet holds the range, else
/// on the outside interface of that family; to <c>bind</c> or that interface's own address.</item>
/// </list>
/// Pure.
/// </summary>
public static class ConnectionPlanner
{
    public static readonly IPAddress DefaultExternalV4 = IPAddress.Parse(ConfigDefaults.FirewallExternalSource);
    public static readonly IPAddress DefaultExternalV6 = IPAddress.Parse("2001:db8::1");

    /// <summary>
    /// Internal networks simulated per port at most: a host with more (a router of many VLANs) is judged by the first
    /// ones, in the kernel's interface order, and the verdict says how many were left out.
    /// </summary>
    public const int MaxInsideNetworks = 16;

    /// <summary>Addresses tried from a range's end inward for one that is not this host's.</summary>
    private const int MaxCandidates = 8;

    public static ConnectionPlan Plan(PortSpec port, IEnumerable<Listener>? listeners, HostNetwork network, IPAddress? externalSource)
    {
        var plan = PlanConnections(port, listeners, network, externalSource);
        return network.Interfaces.Any(i => i.UplinkPort is not null) ? Bridged(plan, network) : plan;
    }

    /// <summary>Each connection arriving on a bridge with a real port, marked with that port (<see cref="SimulatedConnection.BridgePort"/>).</summary>
    private static ConnectionPlan Bridged(ConnectionPlan plan, HostNetwork network)
    {
        SimulatedConnection Mark(SimulatedConnection c) =>
            network.Interfaces.FirstOrDefault(i => i.Name == c.Interface)?.UplinkPort is { } port ? c with { BridgePort = port } : c;
        PlannedSource MarkAll(PlannedSource s) => s with { Connections = [.. s.Connections.Select(Mark)] };
        return plan with
        {
            Outside = plan.Outside is { } outside ? Mark(outside) : null,
            Inside = MarkAll(plan.Inside),
            From = [.. plan.From.Select(MarkAll)],
            OtherOutside = [.. plan.OtherOutside.Select(Mark)],
        };
    }

    private static ConnectionPlan PlanConnections(PortSpec port, IEnumerable<Listener>? listeners, HostNetwork network, IPAddress? externalSource)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(network);
        var bind = port.Bind is { } b && b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : port.Bind;
        var specificBind = bind is not null && !bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any) ? bind : null;
        var listening = listeners?.ToList();
        var version = ChooseVersion(bind, ExternalFamily(port), listening, network);

        var inside = Inside(port, specificBind, version, network, bind is null && ExternalFamily(port) is null && port.Origin == IntentOrigin.Config ? OtherFamilyServed(version, listening) : null);
        var from = port.From.Select(r => FromRange(port, r, specificBind, network)).ToList();
        var source = externalSource is not null && externalSource.AddressFamily == Family(version) ? externalSource : version == 6 ? DefaultExternalV6 : DefaultExternalV4;
        if (((specificBind is null ? ListenedOutside(listening, version, network) : null) ?? OutsidePath(specificBind, version, network)) is not var (outsideInterface, destination))
        {
            return new ConnectionPlan(null, inside, $"no IPv{version} interface for outside traffic (no default route, no address)") { From = from };
        }

        return new ConnectionPlan(new SimulatedConnection(ConnectionOrigin.Outside, source, destination, outsideInterface, port.Protocol, port.Port), inside)
        {
            From = from,
            // Not for an auto-watched port: its intent is inferred from the one outside verdict it was first judged by.
            OtherOutside = bind is null && version == 4 && ExternalFamily(port) is null && port.Origin == IntentOrigin.Config ? OutsideOverIPv6(port, listening, network, externalSource) : [],
            OtherOutsideIfTranslated = !ServesIPv6(listening),
        };
    }

    /// <summary>
    /// The outside connection over IPv6 of an IPv4-judged port, when the host has an IPv6 default route to a global
    /// address, or else an IPv6 subnet on its IPv4 outside interface (<see cref="OnLinkIPv6"/>); else none. Asked when its
    /// listeners also serve IPv6 (a wildcard or an address of that family), and when none does but the sockets were
    /// read: then only a DNAT can take it (<see cref="ConnectionPlan.OtherOutsideIfTranslated"/>).
    /// </summary>
    private static IReadOnlyList<SimulatedConnection> OutsideOverIPv6(PortSpec port, List<Listener>? listening, HostNetwork network, IPAddress? externalSource)
    {
        if (listening is null)
        {
            return [];
        }

        if (network.DefaultInterfaceV6 is null)
        {
            // Only a public port promises them: for an internal one, the clients on the outside interface's own network
            // are its LAN, which IPv4 judges by the far outside source alone.
            return port.Expose == PortExpose.Public && OnLinkIPv6(port, listening, network, externalSource) is { } onLink ? [onLink] : [];
        }

        if ((ListenedOutside(listening, 6, network) ?? OutsidePath(null, 6, network)) is not var (name, destination) || destination.IsIPv6LinkLocal)
        {
            return [];
        }

        var source = externalSource is { AddressFamily: AddressFamily.InterNetworkV6 } ? externalSource : DefaultExternalV6;
        return [new SimulatedConnection(ConnectionOrigin.Outside, source, destination, name, port.Protocol, port.Port)];
    }

    /// <summary>
    /// Without an IPv6 default route, the IPv6 clients on the network of the IPv4 outside interface (its IPv6 subnet,
    /// link-local left out): they reach the service's address on that interface directly; asked for a public port only. From the subnet's first
    /// address that is not this host's (<c>firewall.external_source</c> when it is in the subnet); null when the
    /// interface has no such subnet, or the listeners serve none of its addresses.
    /// </summary>
    private static SimulatedConnection? OnLinkIPv6(PortSpec port, List<Listener> listening, HostNetwork network, IPAddress? externalSource)
    {
        if (network.DefaultInterfaceV4 is not { } name || network.Interfaces.FirstOrDefault(i => i.Name == name) is not { } outside)
        {
            return null;
        }

        var wildcard = !ServesIPv6(listening) || listening.Any(l => l.Scope == ListenerScope.Wildcard && l.IsIPv6);
        foreach (var subnet in outside.Subnets.Where(s => s.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 && !s.BaseAddress.IsIPv6LinkLocal))
        {
            var destination = outside.Addresses.FirstOrDefault(a => subnet.Contains(a) && (wildcard || listening.Any(l => l.Address.Equals(a))));
            var source = externalSource is { AddressFamily: AddressFamily.InterNetworkV6 } own && subnet.Contains(own) ? own : Candidate(subnet, fromEnd: false, network);
            if (destination is not null && source is not null)
            {
                return new SimulatedConnection(ConnectionOrigin.Outside, source, destination, name, port.Protocol, port.Port);
            }
        }

        return null;
    }

    /// <summary>True when a listener of the port takes IPv6 connections from other hosts (not loopback, not IPv4-mapped).</summary>
    private static bool ServesIPv6(List<Listener>? listening) =>
        listening is not null && listening.Any(l => l.IsIPv6 && !l.Address.IsIPv4MappedToIPv6 && l.Scope != ListenerScope.Loopback);

    /// <summary>The interface outside traffic of <paramref name="version"/> arrives on and the address it is sent to; null when there is none.</summary>
    private static (string Interface, IPAddress Destination)? OutsidePath(IPAddress? specificBind, int version, HostNetwork network)
    {
        if (specificBind is not null)
        {
            var owner = network.InterfaceOf(specificBind) ?? network.DefaultInterface(version) ?? network.FirstNonLoopbackInterface(version);
            return owner is null ? null : (owner, specificBind);
        }

        var name = network.DefaultInterface(version) ?? network.FirstNonLoopbackInterface(version);
        return name is not null && network.PrimaryAddress(name, version) is { } destination ? (name, destination) : null;
    }

    /// <summary>
    /// Without <c>bind</c>: when the service listens on no wildcard, the first address it listens on that belongs to an
    /// interface outside traffic arrives on (<see cref="HostNetwork.OutsideInterfaces"/>, in their order), with that
    /// interface: outside clients reach the service there (a second address, a second uplink), not at the primary
    /// address; else a virtual IP on lo it listens on (<see cref="HostNetwork.RoutedAddresses"/>), arriving on the first uplink. Null otherwise (a wildcard serves the primary address; a listener only on an internal address is the
    /// bind rule's finding).
    /// </summary>
    private static (string Interface, IPAddress Destination)? ListenedOutside(IReadOnlyList<Listener>? listeners, int version, HostNetwork network)
    {
        if (listeners is null || listeners.Any(l => l.Scope == ListenerScope.Wildcard))
        {
            return null;
        }

        var family = Family(version);
        var addresses = listeners.Where(l => l.Scope == ListenerScope.Address)
            .Select(l => l.Address.IsIPv4MappedToIPv6 ? l.Address.MapToIPv4() : l.Address)
            .Where(a => a.AddressFamily == family)
            .ToList();
        var uplinks = network.OutsideInterfaces(version);
        foreach (var name in uplinks)
        {
            if (addresses.FirstOrDefault(a => network.InterfaceOf(a) == name) is { } address)
            {
                return (name, address);
            }
        }

        // A virtual IP on lo the network routes here: it arrives on the (first) uplink.
        var routed = network.RoutedAddresses();
        return uplinks.Count > 0 && addresses.FirstOrDefault(routed.Contains) is { } vip ? (uplinks[0], vip) : null;
    }

    /// <summary>
    /// The other address family than <paramref name="version"/> when the port's listeners take it from other hosts too
    /// (a dual-stack wildcard, or a listener of each family): clients on an internal network of that family reach the
    /// service over it, so the internal networks are simulated in both; null otherwise.
    /// </summary>
    private static int? OtherFamilyServed(int version, List<Listener>? listening) =>
        version == 4 ? (ServesIPv6(listening) ? 6 : null)
        : listening is not null && listening.Any(l => l.AcceptsIPv4 && l.Scope != ListenerScope.Loopback) ? 4 : null;

    /// <summary>
    /// One client per internal network of <paramref name="version"/>, then of <paramref name="otherVersion"/> when the
    /// service takes that family as well (at most <see cref="MaxInsideNetworks"/> in all, the network of the bind
    /// address's interface first); this host over loopback when there is none, or the port is bound to loopback.
    /// </summary>
    private static PlannedSource Inside(PortSpec port, IPAddress? specificBind, int version, HostNetwork network, int? otherVersion = null)
    {
        var loopback = specificBind ?? (version == 6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        var host = new PlannedSource(SourceVerdict.InsideSource, [new SimulatedConnection(ConnectionOrigin.Inside, loopback, loopback, "lo", port.Protocol, port.Port)]);
        if (specificBind is not null && IPAddress.IsLoopback(specificBind))
        {
            return host;
        }

        var bindInterface = specificBind is null ? null : network.InterfaceOf(specificBind);
        var networks = network.InternalNetworks(version).OrderBy(n => n.Interface.Name == bindInterface ? 0 : 1)
            .Select(n => (n.Interface, n.Subnet, Version: version))
            // Not the chosen family's uplinks: where the other family has no default route, their neighbours are the
            // outside's, not an internal network.
            .Concat(otherVersion is { } other
                ? network.InternalNetworks(other).Where(n => !network.OutsideInterfaces(version).Contains(n.Interface.Name)).Select(n => (n.Interface, n.Subnet, Version: other))
                : [])
            .ToList();
        var clients = new List<SimulatedConnection>();
        foreach (var (iface, subnet, family) in networks)
        {
            if (clients.Count == MaxInsideNetworks)
            {
                break;
            }

            if (Candidate(subnet, fromEnd: false, network) is { } client
                && (specificBind ?? AddressIn(iface, subnet, family, network)) is { } destination)
            {
                clients.Add(new SimulatedConnection(ConnectionOrigin.Outside, client, destination, iface.Name, port.Protocol, port.Port));
            }
        }

        if (clients.Count == 0)
        {
            return host;
        }

        var left = networks.Count > MaxInsideNetworks ? $"{networks.Count - MaxInsideNetworks} more internal networks not simulated" : null;
        return new PlannedSource(SourceVerdict.InsideSource, clients, left);
    }

    private static PlannedSource FromRange(PortSpec port, IPNetwork range, IPAddress? specificBind, HostNetwork network)
    {
        var label = range.ToCidr();
        var version = range.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4;
        if (specificBind is not null && specificBind.AddressFamily != range.BaseAddress.AddressFamily)
        {
            return new PlannedSource(label, [], $"the port is bound to {specificBind}: clients from an IPv{version} range cannot reach it");
        }

        var first = Candidate(range, fromEnd: false, network);
        var last = Candidate(range, fromEnd: true, network);
        if (first is null || last is null)
        {
            return new PlannedSource(label, [], "every address tried in the range is this host's own");
        }

        (string Interface, IPAddress Destination)? path = network.ConnectedInterface(first) is { } connected
            && (specificBind ?? AddressIn(connected, null, version, network)) is { } to
            ? (connected.Name, to)
            : OutsidePath(specificBind, version, network);
        if (path is not var (name, destination))
        {
            return new PlannedSource(label, [], $"no IPv{version} interface for traffic from {label} (no route, no address)");
        }

        var connections = new List<SimulatedConnection> { new(ConnectionOrigin.Outside, first, destination, name, port.Protocol, port.Port) };
        if (!last.Equals(first))
        {
            connections.Add(connections[0] with { Source = last });
        }

        return new PlannedSource(label, connections);
    }

    /// <summary>The interface's own address of <paramref name="version"/>, one in <paramref name="subnet"/> when given.</summary>
    private static IPAddress? AddressIn(HostInterface iface, IPNetwork? subnet, int version, HostNetwork network) =>
        subnet is { } s && iface.Addresses.FirstOrDefault(s.Contains) is { } inSubnet ? inSubnet : network.PrimaryAddress(iface.Name, version);

    private static int ChooseVersion(IPAddress? bind, int? externalFamily, List<Listener>? listeners, HostNetwork network)
    {
        if (bind is not null)
        {
            return bind.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4;
        }

        if (externalFamily is { } family)
        {
            return family;
        }

        if (listeners is { Count: > 0 } && !listeners.Any(l => l.AcceptsIPv4))
        {
            return 6;
        }

        var has4 = network.DefaultInterfaceV4 is not null || network.FirstNonLoopbackInterface(4) is not null;
        var has6 = network.DefaultInterfaceV6 is not null || network.FirstNonLoopbackInterface(6) is not null;
        return !has4 && has6 ? 6 : 4;
    }

    /// <summary>4 or 6 when every <c>external</c> endpoint written as an address is of that family; else null.</summary>
    private static int? ExternalFamily(PortSpec port)
    {
        var families = port.ExternalEndpoints
            .Select(e => IPAddress.TryParse(e.Host, out var a) ? (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).AddressFamily : (AddressFamily?)null)
            .OfType<AddressFamily>()
            .Distinct()
            .ToList();
        return families.Count == 1 ? (families[0] == AddressFamily.InterNetworkV6 ? 6 : 4) : null;
    }

    /// <summary>The first usable address of <paramref name="range"/>: the one after the network address (itself for a /31, /32, /127, /128).</summary>
    public static IPAddress? FirstUsable(IPNetwork? range) => range is { } r ? Usable(r, fromEnd: false, 0) : null;

    /// <summary>The last usable address of <paramref name="range"/>: the IPv4 broadcast left out (itself for a /31, /32), the last address for IPv6.</summary>
    public static IPAddress? LastUsable(IPNetwork? range) => range is { } r ? Usable(r, fromEnd: true, 0) : null;

    /// <summary>The usable address nearest the range's start (or end) that is not this host's, or null.</summary>
    private static IPAddress? Candidate(IPNetwork range, bool fromEnd, HostNetwork network)
    {
        for (var step = 0; step < MaxCandidates; step++)
        {
            if (Usable(range, fromEnd, step) is not { } address)
            {
                return null;
            }

            if (!network.IsLocal(address))
            {
                return address;
            }
        }

        return null;
    }

    /// <summary>The usable address <paramref name="step"/> places in from the range's start or end; null past the range.</summary>
    private static IPAddress? Usable(IPNetwork range, bool fromEnd, int step)
    {
        var bytes = range.BaseAddress.GetAddressBytes();
        UInt128 value = 0;
        foreach (var part in bytes)
        {
            value = (value << 8) | part;
        }

        var hostBits = (bytes.Length * 8) - range.PrefixLength;
        var last = hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        // Offsets inside the range: the network address (and the IPv4 broadcast) left out unless the range is a /31 or smaller.
        var low = hostBits <= 1 ? UInt128.Zero : UInt128.One;
        var high = hostBits <= 1 || bytes.Length == 16 ? last : last - 1;
        if ((UInt128)step > high - low)
        {
            return null;
        }

        value += fromEnd ? high - (UInt128)step : low + (UInt128)step;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }

    private static AddressFamily Family(int version) => version == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
}
