using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace PortExporter.Core.Probes;

/// <summary>
/// The network probes run in: how a socket is made, how a name is resolved and which addresses this host has.
/// <see cref="Host"/> is the real one; tests give a network namespace's (a socket lives in the namespace of the
/// thread that made it). Thread-safe when its delegates are.
/// </summary>
/// <param name="CreateSocket">Makes an unconnected socket.</param>
/// <param name="Resolve">Resolves a host name; throws <see cref="SocketException"/> when it cannot.</param>
/// <param name="HostAddresses">The host's addresses with their interfaces (any order, may include loopback).</param>
public sealed record ProbeNetwork(
    Func<AddressFamily, SocketType, ProtocolType, Socket> CreateSocket,
    Func<string, CancellationToken, Task<IPAddress[]>> Resolve,
    Func<IReadOnlyList<InterfaceAddress>> HostAddresses)
{
    /// <summary>This process's own network namespace and resolver.</summary>
    public static ProbeNetwork Host { get; } = new(
        static (family, type, protocol) => new Socket(family, type, protocol),
        static (host, ct) => Dns.GetHostAddressesAsync(host, ct),
        ReadInterfaceAddresses);

    /// <summary>
    /// Unicast addresses of every interface, from the calling thread's namespace. An interface without carrier is
    /// kept: the kernel still delivers to its address locally.
    /// </summary>
    public static IReadOnlyList<InterfaceAddress> ReadInterfaceAddresses() =>
        [.. NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses.Select(a => new InterfaceAddress(a.Address, i.Name)))];
}

/// <summary>An address of the host and the interface it is on (null when not known).</summary>
public sealed record InterfaceAddress(IPAddress Address, string? Interface);
