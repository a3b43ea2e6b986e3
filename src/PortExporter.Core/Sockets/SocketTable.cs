namespace PortExporter.Core.Sockets;

/// <summary>One of the kernel's socket tables under <c>&lt;procfs&gt;/net</c>: which file, which transport, which family.</summary>
/// <param name="FileName">The file name under the net directory: tcp, tcp6, udp or udp6.</param>
/// <param name="Protocol">The transport of every socket in the table.</param>
/// <param name="IsIPv6">True for the *6 tables, whose addresses are 128 bits.</param>
public sealed record SocketTable(string FileName, TransportProtocol Protocol, bool IsIPv6)
{
    public static SocketTable Tcp { get; } = new("tcp", TransportProtocol.Tcp, false);

    public static SocketTable Tcp6 { get; } = new("tcp6", TransportProtocol.Tcp, true);

    public static SocketTable Udp { get; } = new("udp", TransportProtocol.Udp, false);

    public static SocketTable Udp6 { get; } = new("udp6", TransportProtocol.Udp, true);

    /// <summary>The four tables, IPv4 first.</summary>
    public static IReadOnlyList<SocketTable> All { get; } = [Tcp, Udp, Tcp6, Udp6];

    /// <summary>
    /// True when a kernel may lack the table: the *6 tables are missing when IPv6 is disabled at boot
    /// (<c>ipv6.disable=1</c>) or not built, which means "no IPv6", not a failure.
    /// </summary>
    public bool IsOptional => IsIPv6;
}
