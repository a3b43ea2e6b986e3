using System.Net;

namespace PortExporter.Firewall.Model;

/// <summary>
/// The simulated packet while it walks the hooks: rules may change its conntrack state (notrack), mark and
/// destination (DNAT/REDIRECT). Mutable; one instance belongs to one walk.
/// </summary>
public sealed class PacketState
{
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte TcpSyn = 0x02;

    public const byte Icmp = 1;
    public const byte Icmpv6 = 58;
    public const byte TcpSynAck = 0x12;
    public const byte TcpRstAck = 0x14;

    /// <summary>An outside client's port: any unprivileged port, so a match on it can be unknown.</summary>
    public const int ClientPortLow = 1024;

    public const int ClientPortHigh = 65535;

    /// <summary>The hop limit or TTL an ordinary client's packet arrives with from the link (Linux, macOS: 64).</summary>
    public const int ClientHopLimit = 64;

    /// <summary>The hop limit of neighbour discovery: 255, which a receiver checks, so it can only come from the link.</summary>
    public const int NeighbourDiscoveryHopLimit = 255;

    /// <summary>ICMPv6 neighbor solicitation.</summary>
    public const byte NeighborSolicitation = 135;

    /// <summary>ICMPv6 neighbor advertisement.</summary>
    public const byte NeighborAdvertisement = 136;

    /// <summary>The link-layer packet type of a multicast frame (nft <c>pkttype multicast</c>).</summary>
    public const byte MulticastPacket = 2;

    /// <summary>A local client's port: Linux's default ephemeral range (net.ipv4.ip_local_port_range).</summary>
    public const int EphemeralPortLow = 32768;

    public const int EphemeralPortHigh = 60999;

    public required int IpVersion { get; init; }

    public required byte Protocol { get; init; }

    public required UInt128 Source { get; init; }

    public required UInt128 Destination { get; set; }

    public required IPAddress DestinationAddress { get; set; }

    /// <summary>The destination port; setting it fixes the range to one port.</summary>
    public int DestinationPort
    {
        get => DestinationPortLow;
        set => DestinationPortLow = DestinationPortHigh = value;
    }

    /// <summary>Lowest destination port the packet may have (a reply goes to the client's unknown port).</summary>
    public int DestinationPortLow { get; set; }

    public int DestinationPortHigh { get; set; }

    /// <summary>Lowest source port the packet may have (a client's port is not known).</summary>
    public int SourcePortLow { get; init; } = ClientPortLow;

    public int SourcePortHigh { get; init; } = ClientPortHigh;

    /// <summary>The ICMP type of an ICMP packet (the error a reject sends back, a neighbour discovery message).</summary>
    public byte IcmpType { get; init; }

    /// <summary>
    /// The hop limit (IPv6) or TTL (IPv4) a client's packet arrives with: the Linux and macOS default,
    /// <see cref="ClientHopLimit"/>, for a client on the link; 255 for neighbour discovery, which must come from the link.
    /// </summary>
    public int HopLimit { get; init; } = ClientHopLimit;

    /// <summary>The link-layer packet type: 0 to this host, 1 broadcast, 2 multicast, 3 to another host.</summary>
    public byte PacketType { get; init; }

    /// <summary>True when the destination is a multicast address (a neighbour solicitation's solicited-node group).</summary>
    public bool DestinationMulticast { get; init; }

    /// <summary>The incoming interface ("" for locally generated packets on the output path).</summary>
    public required string InInterface { get; set; }

    /// <summary>The outgoing interface ("" on the input path).</summary>
    public required string OutInterface { get; set; }

    public ConntrackStates ConntrackState { get; set; } = ConntrackStates.New;

    /// <summary>For a reply: its state whatever the chain's priority (the connection already exists).</summary>
    public ConntrackStates? FixedConntrackState { get; init; }

    /// <summary>True once a notrack rule ran: the state is then untracked for good.</summary>
    public bool Untracked { get; set; }

    /// <summary>The packet mark; null once a rule set it to a value the evaluator cannot know.</summary>
    public uint? Mark { get; set; }

    public required bool SourceIsLocal { get; init; }

    /// <summary>
    /// Whether the host's routes back to the source are known (<see cref="RouteBackInterface"/>): without them a reverse
    /// path lookup (<c>fib saddr . iif oif</c>) is taken to find the interface the packet came in on.
    /// </summary>
    public bool RouteBackKnown { get; init; }

    /// <summary>The interface the host's route back to the source leaves by; null when none covers it.</summary>
    public string? RouteBackInterface { get; init; }

    public bool DestinationIsLocal { get; set; } = true;

    public byte TcpFlags { get; init; } = TcpSyn;

    /// <summary>True once a DNAT/REDIRECT rewrote the destination.</summary>
    public bool DestinationNatted { get; set; }

    /// <summary>True once the conntrack entry is confirmed (after output/postrouting for a locally made connection).</summary>
    public bool Confirmed { get; set; }

    /// <summary>
    /// The <c>-m recent</c> entries rules made during this walk, by list, family and address: how many hits each
    /// holds, -1 where a rule may or may not have set it (see <see cref="RecentMatch"/>); null until one is set.
    /// </summary>
    internal Dictionary<string, int>? RecentEntries { get; set; }

    /// <summary>Conntrack status bits with the kernel's values: confirmed 0x8, dnat 0x20.</summary>
    public uint ConntrackStatus => (Confirmed ? 0x8u : 0u) | (DestinationNatted ? 0x20u : 0u);

    /// <summary>The solicited-node multicast group of an IPv6 address (RFC 4291: ff02::1:ff and its last 24 bits), where neighbor solicitations for it go.</summary>
    public static IPAddress SolicitedNode(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        Span<byte> group = stackalloc byte[16];
        group[0] = 0xff;
        group[1] = 0x02;
        group[11] = 0x01;
        group[12] = 0xff;
        bytes[13..].CopyTo(group[13..]);
        return new IPAddress(group);
    }

    /// <summary>Encodes an address as a number (IPv4 in the low 32 bits).</summary>
    public static UInt128 Encode(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException($"cannot encode address '{address}'", nameof(address));
        }

        UInt128 value = 0;
        for (var i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }
}
