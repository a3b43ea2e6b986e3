namespace PortExporter.Core.Sockets;

/// <summary>Every listener the socket collector saw in one collection.</summary>
/// <param name="Listeners">TCP listeners and bound, unconnected UDP sockets, IPv4 and IPv6.</param>
/// <param name="EphemeralPortStart">First port of net.ipv4.ip_local_port_range: UDP sockets at or above it are clients.</param>
public sealed record SocketEvidence(IReadOnlyList<Listener> Listeners, int EphemeralPortStart = 32768)
{
    private readonly ILookup<PortKey, Listener> _byKey = Listeners.ToLookup(l => l.Key);

    public IEnumerable<Listener> For(PortKey key) => _byKey[key];

    /// <summary>Last port of net.ipv4.ip_local_port_range (the kernel's ephemeral range ends here).</summary>
    public int EphemeralPortEnd { get; init; } = SocketTableReader.DefaultEphemeralPortEnd;

    /// <summary>The <c>ns/net</c> link target of the namespace these sockets are in; null when not known (fixtures).</summary>
    public string? NetworkNamespace { get; init; }
}
