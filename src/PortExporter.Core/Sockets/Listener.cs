using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PortExporter.Core.Sockets;

/// <summary>
/// A listening TCP socket or a bound, unconnected UDP socket, as the kernel reports it.
/// Address:port pairs may repeat (SO_REUSEPORT); <see cref="Inode"/> tells them apart.
/// </summary>
/// <param name="Protocol">tcp or udp.</param>
/// <param name="Address">The local address (IPv4, or IPv6 for the *6 tables).</param>
/// <param name="Port">The local port.</param>
/// <param name="Inode">The socket inode, the key to its owner process.</param>
/// <param name="V6Only">For IPv6 sockets: true when IPV6_V6ONLY is set (no IPv4), null when unknown.</param>
public sealed record Listener(TransportProtocol Protocol, IPAddress Address, int Port, ulong Inode, bool? V6Only = null)
{
    /// <summary>
    /// The interface the socket is bound to (SO_BINDTODEVICE, systemd's <c>BindToDevice=</c>, <c>ss</c>'s
    /// <c>0.0.0.0%eth1</c>), or null when it is not: such a socket takes only what arrives on that interface (or is
    /// addressed to one of its addresses from this host), whatever its address. /proc/net does not show it.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>A TCP listener's accept queue, when the kernel reported it (<c>sock_diag</c>; /proc/net does not show the backlog).</summary>
    public AcceptQueue? AcceptQueue { get; init; }

    /// <summary>The address as <c>ss</c> writes it: with <c>%DEVICE</c> when the socket is bound to one.</summary>
    public string AddressText => Device is null ? Address.ToString() : $"{Address}%{Device}";

    /// <summary>The local endpoint as <c>ss</c> writes it (<c>0.0.0.0%eth1:8080</c>, <c>[::]:8080</c>).</summary>
    public string EndpointText => IsIPv6
        ? $"[{AddressText}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{AddressText}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public ListenerScope Scope =>
        Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any) ? ListenerScope.Wildcard
        : IPAddress.IsLoopback(Address) || IsMappedLoopback(Address) ? ListenerScope.Loopback
        : ListenerScope.Address;

    public PortKey Key => new(Port, Protocol);

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>True when the socket also takes IPv4: an IPv4 socket, or a [::] socket without IPV6_V6ONLY.</summary>
    public bool AcceptsIPv4 => !IsIPv6 || (Scope == ListenerScope.Wildcard && V6Only == false) || Address.IsIPv4MappedToIPv6;

    private static bool IsMappedLoopback(IPAddress address) =>
        address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4());
}
