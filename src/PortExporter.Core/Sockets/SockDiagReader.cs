using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Asks the kernel for listening TCP sockets and bound, unconnected UDP sockets over netlink <c>sock_diag</c>,
/// as <c>ss -tuln</c> does. Asking for the LISTEN state only, the kernel walks the listening hash alone, so the
/// cost does not grow with the host's established connections (unlike reading /proc/net/tcp).
/// Sees the network namespace of the calling process. Thread-safe (one socket per call).
/// </summary>
public static partial class SockDiagReader
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkSockDiag = 4;
    private const ushort SockDiagByFamily = 20;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300;
    private const byte IpprotoTcp = 6;
    private const byte IpprotoUdp = 17;
    private const uint TcpfListen = 1u << 10;
    private const uint TcpfClose = 1u << 7;

    /// <summary>Every listener of both families and both protocols. Throws <see cref="Win32Exception"/> when netlink is not allowed.</summary>
    public static List<Listener> ReadListeners()
    {
        var listeners = new List<Listener>();
        foreach (var family in new byte[] { 2, 10 })
        {
            Dump(family, IpprotoTcp, TcpfListen, TransportProtocol.Tcp, listeners);
            Dump(family, IpprotoUdp, TcpfClose, TransportProtocol.Udp, listeners);
        }

        return listeners;
    }

    /// <summary>The raw answer buffers of one dump (for tests that feed real kernel bytes to the parser).</summary>
    internal static List<byte[]> DumpRaw(bool ipv6, TransportProtocol transport)
    {
        var raw = new List<byte[]>();
        Dump(ipv6 ? (byte)10 : (byte)2, transport == TransportProtocol.Tcp ? IpprotoTcp : IpprotoUdp, transport == TransportProtocol.Tcp ? TcpfListen : TcpfClose, transport, [], raw);
        return raw;
    }

    private static void Dump(byte family, byte protocol, uint states, TransportProtocol transport, List<Listener> into, List<byte[]>? raw = null)
    {
        var fd = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkSockDiag);
        if (fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "sock_diag: cannot open a netlink socket");
        }

        try
        {
            Span<byte> request = stackalloc byte[16 + 56];
            request.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(request[4..], SockDiagByFamily);
            BinaryPrimitives.WriteUInt16LittleEndian(request[6..], NlmFRequest | NlmFDump);
            BinaryPrimitives.WriteUInt32LittleEndian(request[8..], 1);
            var req = request[16..];
            req[0] = family;
            req[1] = protocol;
            req[2] = 0; // idiag_ext: SKV6ONLY comes with every IPv6 socket unasked
            BinaryPrimitives.WriteUInt32LittleEndian(req[4..], states);
            BinaryPrimitives.WriteUInt32LittleEndian(req[48..], 0xffffffff); // idiag_cookie: no cookie
            BinaryPrimitives.WriteUInt32LittleEndian(req[52..], 0xffffffff);
            if (Send(fd, ref MemoryMarshal.GetReference(request), request.Length, 0) < 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "sock_diag: send failed");
            }

            var buffer = new byte[64 * 1024];
            while (true)
            {
                var received = Recv(fd, ref buffer[0], buffer.Length, 0);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == 4)
                    {
                        continue; // EINTR
                    }

                    throw new Win32Exception(errno, "sock_diag: receive failed");
                }

                raw?.Add(buffer[..(int)received]);
                if (received == 0 || SockDiagParser.Parse(buffer.AsSpan(0, (int)received), transport, into))
                {
                    return;
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint Send(int fd, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int fd, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
