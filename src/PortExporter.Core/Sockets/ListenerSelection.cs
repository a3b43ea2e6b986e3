namespace PortExporter.Core.Sockets;

/// <summary>
/// Which sockets a <c>sock_diag</c> read asks the kernel for, per transport: every one, none (the dump is
/// skipped), or only those on a set of ports (an <c>inet_diag</c> bytecode filter from
/// <see cref="InetDiagPortFilter"/>; the reader then keeps exactly these ports). Immutable, thread-safe: build
/// it once per config.
/// </summary>
public sealed class ListenerSelection
{
    private ListenerSelection(PortSet? tcp, PortSet? udp)
    {
        Tcp = tcp;
        Udp = udp;
    }

    /// <summary>Every listener of both transports (no filter): what port discovery needs.</summary>
    public static ListenerSelection All { get; } = new(null, null);

    /// <summary>TCP ports asked for, or null for every TCP listener.</summary>
    internal PortSet? Tcp { get; }

    /// <summary>UDP ports asked for, or null for every bound UDP socket.</summary>
    internal PortSet? Udp { get; }

    /// <summary>Only the listeners of <paramref name="ports"/> (a transport with no port in it is not dumped at all).</summary>
    public static ListenerSelection Of(IEnumerable<PortKey> ports)
    {
        var keys = ports.ToList();
        return new(
            PortSet.Of(keys.Where(k => k.Protocol == TransportProtocol.Tcp).Select(k => k.Port)),
            PortSet.Of(keys.Where(k => k.Protocol == TransportProtocol.Udp).Select(k => k.Port)));
    }

    /// <summary>The ports of one transport and the bytecode that asks the kernel for them (null when there are none).</summary>
    internal sealed class PortSet
    {
        private PortSet(HashSet<int> ports, byte[]? bytecode)
        {
            Ports = ports;
            Bytecode = bytecode;
        }

        public HashSet<int> Ports { get; }

        public byte[]? Bytecode { get; }

        public static PortSet Of(IEnumerable<int> ports)
        {
            var set = ports.ToHashSet();
            return new PortSet(set, InetDiagPortFilter.Build(set));
        }
    }
}
