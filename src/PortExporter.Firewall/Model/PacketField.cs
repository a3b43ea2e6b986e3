namespace PortExporter.Firewall.Model;

/// <summary>A property of the simulated packet a match can test.</summary>
public enum PacketField
{
    /// <summary>4 or 6 (nft <c>meta nfproto</c>).</summary>
    IpVersion,

    /// <summary>The transport protocol number (6 tcp, 17 udp).</summary>
    L4Protocol,
    SourceAddress,
    DestinationAddress,

    /// <summary>The client's port: any unprivileged port, so a match on it can be unknown.</summary>
    SourcePort,
    DestinationPort,
    InInterface,
    OutInterface,
    ConntrackState,

    /// <summary>The packet mark (0 unless a rule sets it).</summary>
    Mark,

    /// <summary>Link-layer packet type: 0 host (ours), 1 broadcast, 2 multicast, 3 other host.</summary>
    PacketType,

    /// <summary>TCP flags of the packet (a SYN).</summary>
    TcpFlags,

    /// <summary>Conntrack status bits (nft <c>ct status</c>, iptables <c>--ctstatus</c>).</summary>
    ConntrackStatus,

    /// <summary>The type of an ICMP / ICMPv6 packet.</summary>
    IcmpType,

    /// <summary>
    /// nft <c>numgen random|inc mod N</c>: a number the kernel draws for each new connection. Every value is possible,
    /// so a match on it is a random choice (<see cref="RandomChoice"/>), never a fact about the packet.
    /// </summary>
    RandomNumber,

    /// <summary>The IPv6 hop limit or IPv4 TTL the packet arrives with (nft <c>ip6 hoplimit</c>, <c>ip ttl</c>; <c>-m hl</c>, <c>-m ttl</c>).</summary>
    HopLimit,
}
