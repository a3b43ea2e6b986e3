using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Pure parser of netlink <c>SOCK_DIAG_BY_FAMILY</c> dump answers (<c>struct nlmsghdr</c> + <c>struct inet_diag_msg</c>
/// + attributes), the kernel interface <c>ss</c> uses. Reads what /proc/net does not show: <c>INET_DIAG_SKV6ONLY</c>,
/// the interface a socket is bound to (<c>idiag_if</c>, SO_BINDTODEVICE) and a listener's backlog.
/// </summary>
public static class SockDiagParser
{
    private const int InetDiagMsgLength = 72;
    private const ushort InetDiagSkv6only = 11;

    /// <summary>Offset of <c>id.idiag_if</c> in <c>struct inet_diag_msg</c> (after family, state, timer, retrans and
    /// the ports and addresses of <c>struct inet_diag_sockid</c>): the socket's <c>sk_bound_dev_if</c>, 0 when unbound.</summary>
    private const int IdiagIfOffset = 40;

    /// <summary>Offset of <c>idiag_rqueue</c> (after the socket id and <c>idiag_expires</c>); <c>idiag_wqueue</c> follows it.</summary>
    private const int IdiagRqueueOffset = 56;

    /// <summary>
    /// Parses one buffer of netlink messages into <paramref name="into"/>. Returns true when the dump's
    /// NLMSG_DONE was seen. Throws <see cref="FormatException"/> on a malformed message or a kernel error.
    /// </summary>
    /// <param name="deviceName">The name of an interface index in the namespace the dump was read from, null when
    /// there is none; without it (or for an unknown index) a bound socket's device is <c>if</c> and the index.</param>
    public static bool Parse(ReadOnlySpan<byte> buffer, TransportProtocol protocol, List<Listener> into, Func<int, string?>? deviceName = null)
    {
        var offset = 0;
        while (offset + Netlink.HeaderLength <= buffer.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(offset + 4)..]);
            if (length < Netlink.HeaderLength || offset + length > buffer.Length)
            {
                throw new FormatException($"sock_diag: netlink message at byte {offset} has length {length}, buffer has {buffer.Length - offset}");
            }

            if (type == Netlink.Done)
            {
                return true;
            }

            if (type == Netlink.Error)
            {
                var errno = length >= Netlink.HeaderLength + 4 ? -BinaryPrimitives.ReadInt32LittleEndian(buffer[(offset + Netlink.HeaderLength)..]) : 0;
                throw new FormatException($"sock_diag: kernel answered error {errno}");
            }

            var payload = buffer.Slice(offset + Netlink.HeaderLength, length - Netlink.HeaderLength);
            if (payload.Length < InetDiagMsgLength)
            {
                throw new FormatException($"sock_diag: inet_diag_msg of {payload.Length} bytes, expected {InetDiagMsgLength}");
            }

            into.Add(ParseMessage(payload, protocol, deviceName));
            offset += Align(length);
        }

        return false;
    }

    private static Listener ParseMessage(ReadOnlySpan<byte> msg, TransportProtocol protocol, Func<int, string?>? deviceName)
    {
        var family = msg[0];
        var port = BinaryPrimitives.ReadUInt16BigEndian(msg[4..]);
        var source = msg.Slice(8, 16);
        IPAddress address = family switch
        {
            2 => new IPAddress(source[..4]),
            10 => new IPAddress(source),
            _ => throw new FormatException($"sock_diag: unexpected address family {family}"),
        };
        var boundInterface = (int)BinaryPrimitives.ReadUInt32LittleEndian(msg[IdiagIfOffset..]);
        var inode = BinaryPrimitives.ReadUInt32LittleEndian(msg[68..]);
        // A listener's idiag_rqueue is its accept queue's length and idiag_wqueue its backlog (a UDP socket's are bytes).
        var waiting = BinaryPrimitives.ReadUInt32LittleEndian(msg[IdiagRqueueOffset..]);
        var backlog = BinaryPrimitives.ReadUInt32LittleEndian(msg[(IdiagRqueueOffset + 4)..]);

        bool? v6Only = null;
        var attributes = msg[InetDiagMsgLength..];
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff);
            if (length < 4 || length > attributes.Length)
            {
                throw new FormatException($"sock_diag: attribute of length {length} in {attributes.Length} bytes");
            }

            if (type == InetDiagSkv6only && length >= 5)
            {
                v6Only = attributes[4] != 0;
            }

            var next = Align(length);
            attributes = next >= attributes.Length ? [] : attributes[next..];
        }

        return new Listener(protocol, address, port, inode, family == 10 ? v6Only : null)
        {
            Device = boundInterface <= 0 ? null : deviceName?.Invoke(boundInterface) ?? $"if{boundInterface.ToString(CultureInfo.InvariantCulture)}",
            AcceptQueue = protocol == TransportProtocol.Tcp ? new AcceptQueue((int)Math.Min(waiting, int.MaxValue), (int)Math.Min(backlog, int.MaxValue)) : null,
        };
    }

    private static int Align(int length) => (length + 3) & ~3;
}
