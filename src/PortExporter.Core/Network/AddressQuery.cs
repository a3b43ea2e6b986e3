using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Network;

/// <summary>An IPv4 address of an interface, as the kernel lists it (<c>ip -4 addr</c>).</summary>
/// <param name="Interface">The interface's name.</param>
/// <param name="Address">The local address.</param>
/// <param name="PrefixLength">Its prefix length (32 for a /32, which has no connected route).</param>
public sealed record InterfaceAddressEntry(string Interface, IPAddress Address, int PrefixLength);

/// <summary>
/// The IPv4 addresses of the calling thread's network namespace with their interfaces, asked of the kernel over
/// netlink (<c>RTM_GETADDR</c>, what <c>ip -4 addr</c> asks). procfs places an IPv4 address on an interface only by a
/// connected route that holds it; a /32 has none (a virtual IP on lo, a host address given as /32 with a gateway route),
/// so those are asked here. Each receive waits at most a second.
/// </summary>
public static class AddressQuery
{
    private const ushort RtmNewAddr = 20;
    private const ushort RtmGetAddr = 22;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const int IfaddrmsgLength = 8;
    private const byte AfInet = 2;

    /// <summary>Most addresses read: a host with more is judged by the first ones.</summary>
    public const int MaxAddresses = 4096;

    /// <summary>Every IPv4 address of this thread's namespace; null when netlink cannot be asked or does not answer.</summary>
    public static IReadOnlyList<InterfaceAddressEntry>? IPv4()
    {
        var fd = Netlink.Open(Netlink.Route);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            Span<byte> request = stackalloc byte[Netlink.HeaderLength + IfaddrmsgLength];
            request.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(request[4..], RtmGetAddr);
            BinaryPrimitives.WriteUInt16LittleEndian(request[6..], Netlink.Request | Netlink.Dump);
            BinaryPrimitives.WriteUInt32LittleEndian(request[8..], 1);
            request[Netlink.HeaderLength] = AfInet;
            if (!Netlink.ReceiveTimeout(fd, seconds: 1) || Netlink.Send(fd, ref MemoryMarshal.GetReference(request), request.Length, 0) < 0)
            {
                return null;
            }

            var found = new List<InterfaceAddressEntry>();
            // Asked every collection on a host with /32 addresses: the receive buffer is a pooled one.
            var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
            try
            {
                while (true)
                {
                    var received = Netlink.Recv(fd, ref buffer[0], buffer.Length, 0);
                    if (received < 0 && Marshal.GetLastPInvokeError() == Netlink.Eintr)
                    {
                        continue;
                    }

                    if (received <= 0)
                    {
                        return null;
                    }

                    if (Parse(buffer.AsSpan(0, (int)received), found, Netlink.InterfaceName) is { } done)
                    {
                        return done ? found : null;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        finally
        {
            _ = Netlink.Close(fd);
        }
    }

    /// <summary>
    /// Adds the IPv4 addresses of one receive of a <c>RTM_GETADDR</c> dump to <paramref name="into"/> (at most
    /// <see cref="MaxAddresses"/>); true at its end, false at an error answer, null while more is to come.
    /// </summary>
    public static bool? Parse(ReadOnlySpan<byte> received, List<InterfaceAddressEntry> into, Func<int, string?> interfaceName)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(interfaceName);
        var at = 0;
        while (at + Netlink.HeaderLength <= received.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(received[at..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(received[(at + 4)..]);
            if (length < Netlink.HeaderLength || at + length > received.Length)
            {
                return false;
            }

            if (type == Netlink.Done)
            {
                return true;
            }

            if (type == Netlink.Error)
            {
                return false;
            }

            var message = received.Slice(at, length);
            if (type == RtmNewAddr && length >= Netlink.HeaderLength + IfaddrmsgLength && message[Netlink.HeaderLength] == AfInet && into.Count < MaxAddresses)
            {
                var prefix = message[Netlink.HeaderLength + 1];
                var index = (int)BinaryPrimitives.ReadUInt32LittleEndian(message[(Netlink.HeaderLength + 4)..]);
                if (Address(message[(Netlink.HeaderLength + IfaddrmsgLength)..]) is { } address && interfaceName(index) is { } name)
                {
                    into.Add(new InterfaceAddressEntry(name, address, prefix));
                }
            }

            at += Align(length);
        }

        return null;
    }

    /// <summary>IFA_LOCAL (the interface's own address), else IFA_ADDRESS (the same, or a point-to-point peer's).</summary>
    private static IPAddress? Address(ReadOnlySpan<byte> attributes)
    {
        IPAddress? address = null;
        var at = 0;
        while (at + 4 <= attributes.Length)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes[at..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(attributes[(at + 2)..]);
            if (length < 4 || at + length > attributes.Length)
            {
                break;
            }

            if (length == 8 && type is IfaLocal or IfaAddress)
            {
                var value = new IPAddress(attributes.Slice(at + 4, 4));
                if (type == IfaLocal)
                {
                    return value;
                }

                address = value;
            }

            at += Align(length);
        }

        return address;
    }

    private static int Align(int length) => (length + 3) & ~3;
}
