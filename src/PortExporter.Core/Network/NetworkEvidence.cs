using System.Net;
using PortExporter.Core.Firewall.Network;

namespace PortExporter.Core.Network;

/// <summary>
/// The host's interfaces and the interfaces of its default routes: where outside traffic arrives when the
/// config gives no <c>bind</c> address.
/// </summary>
/// <param name="Interfaces">Every interface with its addresses.</param>
/// <param name="DefaultRouteInterfaceV4">The interface of the IPv4 default route, or null.</param>
/// <param name="DefaultRouteInterfaceV6">The interface of the IPv6 default route, or null.</param>
public sealed record NetworkEvidence(
    IReadOnlyList<HostInterface> Interfaces,
    string? DefaultRouteInterfaceV4,
    string? DefaultRouteInterfaceV6)
{
    /// <summary>The interface that owns <paramref name="address"/>, or null.</summary>
    public HostInterface? OwnerOf(IPAddress address) =>
        Interfaces.FirstOrDefault(i => i.Addresses.Any(a => a.Equals(address)));

    /// <summary>Addresses outside clients reach: those of the default-route interfaces (both families).</summary>
    public IReadOnlyList<IPAddress> OutsideAddresses()
    {
        var names = new[] { DefaultRouteInterfaceV4, DefaultRouteInterfaceV6 };
        return [.. Interfaces.Where(i => names.Contains(i.Name)).SelectMany(i => i.Addresses).Where(a => !a.IsIPv6LinkLocal).Distinct()];
    }
}
