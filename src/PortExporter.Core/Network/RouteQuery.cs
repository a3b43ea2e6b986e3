using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Network;

/// <summary>
/// What the kernel's routing says of one packet: <c>RTM_GETROUTE</c> over a netlink socket, the question
/// <c>ip route get DST from SRC [iif IF]</c> asks, answered by the kernel's own lookup with every routing table and
/// policy rule (<c>ip rule</c>) and, for a packet coming in, the reverse path filter. Read-only; one request and one
/// answer on a socket of the calling thread's network namespace, waited for at most a second. Thread-safe.
/// </summary>
public static class RouteQuery
{
    private const ushort RtmGetRoute = 26;
    private const ushort RtmNewRoute = 24;
    private const ushort RtaDst = 1;
    private const ushort RtaSrc = 2;
    private const ushort RtaIif = 3;
    private const ushort RtaOif = 4;
    private const int RtmsgLength = 12;

    /// <summary>
    /// The kernel's route for a packet from <paramref name="source"/> to <paramref name="destination"/>, coming in on
    /// <paramref name="inputInterface"/> (null: sent by this host); null when the question cannot be asked (no netlink
    /// socket, an interface this namespace does not have).
    /// </summary>
    public static RouteAnswer? Ask(IPAddress destination, IPAddress source, string? inputInterface)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(source);
        int? iif = null;
        if (inputInterface is not null)
        {
            var index = Netlink.InterfaceIndex(inputInterface);
            if (index == 0)
            {
                return null;
            }

            iif = (int)index;
        }

        var request = Request(destination, source, iif);
        var fd = Netlink.Open(Netlink.Route);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            // The kernel answers at once; a receive that waits longer than this is an answer lost, not one to wait for.
            if (!Netlink.ReceiveTimeout(fd, seconds: 1) || Netlink.Send(fd, ref MemoryMarshal.GetArrayDataReference(request), request.Length, 0) < 0)
            {
                return null;
            }

            // One answer: a route message with a few attributes, or an error with the request echoed.
            Span<byte> buffer = stackalloc byte[4096];
            while (true)
            {
                var received = Netlink.Recv(fd, ref MemoryMarshal.GetReference(buffer), buffer.Length, 0);
                if (received < 0 && Marshal.GetLastPInvokeError() == Netlink.Eintr)
                {
                    continue; // EINTR
                }

                return received <= 0 ? null : Parse(buffer[..(int)received], Netlink.InterfaceName);
            }
        }
        finally
        {
            _ = Netlink.Close(fd);
        }
    }

    /// <summary>The request <c>ip route get</c> sends (pure).</summary>
    internal static byte[] Request(IPAddress destination, IPAddress source, int? inputInterface)
    {
        var family = destination.AddressFamily == AddressFamily.InterNetworkV6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var addressLength = family == AddressFamily.InterNetworkV6 ? 16 : 4;
        var attribute = 4 + addressLength;
        var length = Netlink.HeaderLength + RtmsgLength + (2 * attribute) + (inputInterface is null ? 0 : 8);
        var request = new byte[length];
        var span = request.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], RtmGetRoute);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], Netlink.Request);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 1);
        var rtmsg = span[Netlink.HeaderLength..];
        rtmsg[0] = family == AddressFamily.InterNetworkV6 ? (byte)10 : (byte)2;
        rtmsg[1] = (byte)(addressLength * 8); // rtm_dst_len: the whole address
        rtmsg[2] = (byte)(addressLength * 8); // rtm_src_len
        var at = Netlink.HeaderLength + RtmsgLength;
        at = Address(span, at, RtaDst, destination);
        at = Address(span, at, RtaSrc, source.AddressFamily == destination.AddressFamily ? source : throw new ArgumentException("the source and destination are of different address families", nameof(source)));
        if (inputInterface is { } iif)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], 8);
            BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], RtaIif);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 4)..], iif);
        }

        return request;
    }

    /// <summary>The kernel's answer: an error (its errno) or a route (its type and the interface it leaves by). Pure.</summary>
    /// <param name="reply">The netlink message the kernel sent back.</param>
    /// <param name="interfaceName">Names an interface index (null when unknown).</param>
    internal static RouteAnswer? Parse(ReadOnlySpan<byte> reply, Func<int, string?> interfaceName)
    {
        if (reply.Length < Netlink.HeaderLength)
        {
            return null;
        }

        var length = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(reply), (uint)reply.Length);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]);
        if (type == Netlink.Error && length >= Netlink.HeaderLength + 4)
        {
            return new RouteAnswer(-BinaryPrimitives.ReadInt32LittleEndian(reply[Netlink.HeaderLength..]), 0, null);
        }

        if (type != RtmNewRoute || length < Netlink.HeaderLength + RtmsgLength)
        {
            return null;
        }

        var routeType = reply[Netlink.HeaderLength + 7];
        string? oif = null;
        for (var at = Netlink.HeaderLength + RtmsgLength; at + 4 <= length;)
        {
            var attributeLength = BinaryPrimitives.ReadUInt16LittleEndian(reply[at..]);
            if (attributeLength < 4 || at + attributeLength > length)
            {
                break;
            }

            if (BinaryPrimitives.ReadUInt16LittleEndian(reply[(at + 2)..]) == RtaOif && attributeLength >= 8)
            {
                oif = interfaceName(BinaryPrimitives.ReadInt32LittleEndian(reply[(at + 4)..]));
            }

            at += (attributeLength + 3) & ~3;
        }

        return new RouteAnswer(0, routeType, oif);
    }

    private static int Address(Span<byte> span, int at, ushort kind, IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)(4 + bytes.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], kind);
        bytes.CopyTo(span[(at + 4)..]);
        return at + 4 + bytes.Length;
    }
}

/// <summary>The kernel's answer to a route question.</summary>
/// <param name="Errno">The error the kernel answered (0: a route).</param>
/// <param name="Type">The route's type (<c>RTN_*</c>: 1 unicast, 2 local, ...) when it found one.</param>
/// <param name="Interface">The interface the route leaves by, when it names one.</param>
public sealed record RouteAnswer(int Errno, byte Type, string? Interface)
{
    private const int Eacces = 13;
    private const int Exdev = 18;
    private const int Einval = 22;
    private const int Enetunreach = 101;
    private const int Ehostunreach = 113;

    /// <summary>The <see cref="Name"/> of "no route at all".</summary>
    public const string NoRouteName = "no route";

    /// <summary>
    /// The kernel refuses the packet by a route or rule made to refuse it (<c>blackhole</c>, <c>unreachable</c>,
    /// <c>prohibit</c>, as a route or as an <c>ip rule</c> action) or by the reverse path filter. No route at all
    /// (<c>ENETUNREACH</c>) is not one: a host without a default route answers only the networks it routes, and the
    /// simulated outside client is from none of them.
    /// </summary>
    public bool Refuses => Errno is Einval or Ehostunreach or Eacces or Exdev;

    /// <summary>
    /// No route at all (<c>ENETUNREACH</c>): the kernel has nowhere to send the packet. Not a refusal for a client the
    /// exporter imagines, but the promise broken for one the config names (a <c>from:</c> range).
    /// </summary>
    public bool NoRoute => Errno == Enetunreach;

    /// <summary>The answer in a word: the refusing route's type, the reverse path filter, or the route's interface.</summary>
    public string Name => Errno switch
    {
        0 => Interface ?? $"route type {Type}",
        Einval => "blackhole",
        Ehostunreach => "unreachable",
        Eacces => "prohibit",
        Exdev => "reverse path filter",
        Enetunreach => NoRouteName,
        _ => $"error {Errno}",
    };

    /// <summary>What the answer means, in the words of <c>ip route</c>.</summary>
    public string Describe() => Errno switch
    {
        0 => Interface is null ? $"route type {Type}" : $"route out of {Interface}",
        Einval => "a blackhole route or rule (RTNETLINK answers: Invalid argument)",
        Ehostunreach => "an unreachable route or rule (RTNETLINK answers: No route to host)",
        Eacces => "a prohibit route or rule (RTNETLINK answers: Permission denied)",
        Exdev => "the reverse path filter (RTNETLINK answers: Invalid cross-device link)",
        Enetunreach => "no route, not even a default one (RTNETLINK answers: Network is unreachable)",
        _ => $"error {Errno}",
    };
}
