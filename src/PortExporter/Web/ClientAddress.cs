using System.Net;
using System.Net.Sockets;

namespace PortExporter.Web;

/// <summary>
/// Who a request comes from, for the limits kept per client (the <c>/probe</c> rate limit, the basic-auth queue): the
/// remote IPv4 address (also when it arrives IPv4-mapped on an IPv6 socket), or an IPv6 client's whole /64, since one
/// IPv6 host usually holds a /64 and could otherwise take a fresh share with every address.
/// </summary>
public static class ClientAddress
{
    /// <summary>The client of <paramref name="remote"/>: the IPv4 address, or the IPv6 /64 with its host bits cleared; null when unknown.</summary>
    public static IPAddress? Of(IPAddress? remote)
    {
        if (remote is null)
        {
            return null;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            return remote.MapToIPv4();
        }

        if (remote.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return remote;
        }

        var bytes = remote.GetAddressBytes();
        bytes.AsSpan(8).Clear();
        return new IPAddress(bytes);
    }
}
