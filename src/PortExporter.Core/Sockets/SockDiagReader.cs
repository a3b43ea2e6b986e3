using System.Buffers;
using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Asks the kernel for listening TCP sockets and bound, unconnected UDP sockets over netlink <c>sock_diag</c>,
/// as <c>ss -tuln</c> does. Asking for the LISTEN state only, the kernel walks the listening hash alone, so the
/// cost does not grow with the host's established connections (unlike reading /proc/net/tcp).
/// Sees the network namespace of the calling process. Thread-safe (one socket per call).
/// With a <see cref="ListenerSelection"/> of ports, the kernel filters (as <c>ss 'sport = :N'</c> does).
/// </summary>
public static class SockDiagReader
{
    private const ushort SockDiagByFamily = 20;
    private const byte IpprotoTcp = 6;
    private const byte IpprotoUdp = 17;
    private const uint TcpfListen = 1u << 10;
    private const uint TcpfClose = 1u << 7;

    /// <summary>Size of each receive: what <c>ss</c> and the kernel's dump batches use.</summary>
    private const int ReceiveBufferLength = 64 * 1024;

    /// <summary>The INET_DIAG_REQ_BYTECODE attribute type.</summary>
    private const ushort InetDiagReqBytecode = 1;

    /// <summary>Every listener of both families and both protocols. Throws <see cref="Win32Exception"/> when netlink is not allowed.</summary>
    public static List<Listener> ReadListeners() => ReadListeners(ListenerSelection.All);

    /// <summary>
    /// The listeners <paramref name="selection"/> asks for, of both families: with a port set the kernel returns
    /// only those ports' sockets (an <c>inet_diag</c> bytecode filter), so the cost follows the watched ports, not
    /// the host's listeners. One netlink socket and one pooled receive buffer serve the (up to) four dumps.
    /// Throws <see cref="Win32Exception"/> when netlink is not allowed.
    /// </summary>
    public static List<Listener> ReadListeners(ListenerSelection selection)
    {
        var listeners = new List<Listener>();
        var wantTcp = selection.Tcp is not { Ports.Count: 0 };
        var wantUdp = selection.Udp is not { Ports.Count: 0 };
        if (!wantTcp && !wantUdp)
        {
            return listeners;
        }

        var fd = Open();
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferLength);
        try
        {
            foreach (var family in new byte[] { 2, 10 })
            {
                if (wantTcp)
                {
                    Dump(fd, buffer, family, IpprotoTcp, TcpfListen, selection.Tcp, TransportProtocol.Tcp, listeners);
                }

                if (wantUdp)
                {
                    Dump(fd, buffer, family, IpprotoUdp, TcpfClose, selection.Udp, TransportProtocol.Udp, listeners);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _ = Netlink.Close(fd);
        }

        return listeners;
    }

    /// <summary>The raw answer buffers of one dump (for tests that feed real kernel bytes to the parser).</summary>
    internal static List<byte[]> DumpRaw(bool ipv6, TransportProtocol transport, IEnumerable<int>? ports = null)
    {
        var raw = new List<byte[]>();
        var selection = ports is null ? ListenerSelection.All : ListenerSelection.Of(ports.Select(p => new PortKey(p, transport)));
        var fd = Open();
        try
        {
            Dump(
                fd,
                new byte[ReceiveBufferLength],
                ipv6 ? (byte)10 : (byte)2,
                transport == TransportProtocol.Tcp ? IpprotoTcp : IpprotoUdp,
                transport == TransportProtocol.Tcp ? TcpfListen : TcpfClose,
                transport == TransportProtocol.Tcp ? selection.Tcp : selection.Udp,
                transport,
                [],
                raw);
        }
        finally
        {
            _ = Netlink.Close(fd);
        }

        return raw;
    }

    private static int Open()
    {
        var fd = Netlink.Open(Netlink.SockDiag);
        if (fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "sock_diag: cannot open a netlink socket");
        }

        return fd;
    }

    private static void Dump(
        int fd,
        byte[] buffer,
        byte family,
        byte protocol,
        uint states,
        ListenerSelection.PortSet? ports,
        TransportProtocol transport,
        List<Listener> into,
        List<byte[]>? raw = null)
    {
        var bytecode = ports?.Bytecode;
        var attributeLength = bytecode is null ? 0 : 4 + bytecode.Length;
        Span<byte> request = stackalloc byte[16 + 56 + attributeLength];
        request.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], SockDiagByFamily);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], Netlink.Request | Netlink.Dump);
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], 1);
        var req = request[16..];
        req[0] = family;
        req[1] = protocol;
        req[2] = 0; // idiag_ext: SKV6ONLY comes with every IPv6 socket unasked
        BinaryPrimitives.WriteUInt32LittleEndian(req[4..], states);
        BinaryPrimitives.WriteUInt32LittleEndian(req[48..], 0xffffffff); // idiag_cookie: no cookie
        BinaryPrimitives.WriteUInt32LittleEndian(req[52..], 0xffffffff);
        if (bytecode is not null)
        {
            var attribute = request[(16 + 56)..];
            BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)attributeLength);
            BinaryPrimitives.WriteUInt16LittleEndian(attribute[2..], InetDiagReqBytecode);
            bytecode.CopyTo(attribute[4..]);
        }

        if (Netlink.Send(fd, ref MemoryMarshal.GetReference(request), request.Length, 0) < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "sock_diag: send failed");
        }

        var first = into.Count;
        while (true)
        {
            var received = Netlink.Recv(fd, ref buffer[0], ReceiveBufferLength, 0);
            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Netlink.Eintr)
                {
                    continue; // EINTR
                }

                throw new Win32Exception(errno, "sock_diag: receive failed");
            }

            raw?.Add(buffer[..(int)received]);
            if (received == 0 || SockDiagParser.Parse(buffer.AsSpan(0, (int)received), transport, into, Netlink.InterfaceName))
            {
                break;
            }
        }

        if (ports is not null)
        {
            // The kernel's filter may let a few more ports through (merged ranges): keep exactly the asked ones.
            var kept = first;
            for (var i = first; i < into.Count; i++)
            {
                if (ports.Ports.Contains(into[i].Port))
                {
                    into[kept++] = into[i];
                }
            }

            into.RemoveRange(kept, into.Count - kept);
        }
    }

}
