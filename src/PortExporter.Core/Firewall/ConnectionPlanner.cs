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
/// One family per port: the verdict is for the way outside clients reach that service.
/// <list type="bullet">
/// <item>Outside interface: the one owning <c>bind</c>; else the interface of the default route of that family
/// (lowest metric); else the first non-loopback interface with an address of that family.</item>
/// <item>Outside destination: <c>bind</c>, else that interface's first global address.</item>
/// <item>Outside source: the first usable address of the port's first <c>from:</c> range of that family (the sources
/// that must get through); else <c>firewall.external_source</c> when it is of that family, else 203.0.113.1 /
/// 2001:db8::1 (documentation ranges).</item>
/// <item>Inside: from and to <c>bind</c> (else 127.0.0.1 / ::1) on lo.</item>
/// </list>
/// Pure.
/// </summary>
public static class ConnectionPlanner
{
    public static readonly IPAddress DefaultExternalV4 = IPAddress.Parse(ConfigDefaults.FirewallExternalSource);
    public static readonly IPAddress DefaultExternalV6 = IPAddress.Parse("2001:db8::1");

    public static ConnectionPlan Plan(PortSpec port, IEnumerable<Listener>? listeners, HostNetwork network, IPAddress? externalSource)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(network);
        var bind = port.Bind is { } b && b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : port.Bind;
        var specificBind = bind is not null && !bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any) ? bind : null;
        var version = ChooseVersion(bind, ExternalFamily(port), listeners?.ToList(), network);

        var insideAddress = specificBind ?? (version == 6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        var inside = new SimulatedConnection(ConnectionOrigin.Inside, insideAddress, insideAddress, "lo", port.Protocol, port.Port);

        var source = FirstUsable(port.From.Where(r => r.BaseAddress.AddressFamily == Family(version)).Select(r => (IPNetwork?)r).FirstOrDefault())
            ?? (externalSource is not null && externalSource.AddressFamily == Family(version) ? externalSource : version == 6 ? DefaultExternalV6 : DefaultExternalV4);
        string? outsideInterface;
        IPAddress? destination;
        if (specificBind is not null)
        {
            outsideInterface = network.InterfaceOf(specificBind) ?? network.DefaultInterface(version) ?? network.FirstNonLoopbackInterface(version);
            destination = specificBind;
        }
        else
        {
            outsideInterface = network.DefaultInterface(version) ?? network.FirstNonLoopbackInterface(version);
            destination = outsideInterface is null ? null : network.PrimaryAddress(outsideInterface, version);
        }

        if (outsideInterface is null || destination is null)
        {
            return new ConnectionPlan(null, inside, $"no IPv{version} interface for outside traffic (no default route, no address)");
        }

        return new ConnectionPlan(new SimulatedConnection(ConnectionOrigin.Outside, source, destination, outsideInterface, port.Protocol, port.Port), inside);
    }

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
    public static IPAddress? FirstUsable(IPNetwork? range)
    {
        if (range is not { } r)
        {
            return null;
        }

        var bytes = r.BaseAddress.GetAddressBytes();
        if (r.PrefixLength >= bytes.Length * 8 - 1)
        {
            return r.BaseAddress;
        }

        for (var i = bytes.Length - 1; i >= 0 && ++bytes[i] == 0; i--)
        {
        }

        return new IPAddress(bytes);
    }

    private static AddressFamily Family(int version) => version == 6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
}
