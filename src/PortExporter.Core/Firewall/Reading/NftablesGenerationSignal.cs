using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PortExporter.Core.Firewall.Reading;

/// <summary>
/// The nf_tables generation id, read with one netlink request (<c>NFT_MSG_GETGEN</c> on a NETLINK_NETFILTER
/// socket, about 0.1 ms): the kernel bumps it on every ruleset commit, by nft, firewalld or iptables-nft alike.
/// The nft command line does not print it. Legacy x_tables and ipset changes do not move it: while legacy tables
/// exist in the calling thread's network namespace or the ipset module is loaded, <see cref="CoversAllChanges"/> is
/// false and the ruleset is also refreshed on the interval. Null when unavailable (not Linux, no nf_tables, no
/// permission); never throws. Thread-safe.
/// </summary>
public sealed class NftablesGenerationSignal : IRulesetChangeSignal
{
    private const int AfNetlink = 16;
    private const int SockRawCloexec = 3 | 0x80000;
    private const int NetlinkNetfilter = 12;
    private const int SolSocket = 1;
    private const int SoRcvtimeo = 20;
    private const ushort GetGeneration = (10 << 8) | 16;
    private const ushort NewGeneration = (10 << 8) | 15;
    private const ushort AttributeGenerationId = 1;

    private int _sequence;

    public ulong? Read() => Generation();

    public bool CoversAllChanges() =>
        OperatingSystem.IsLinux() && !UnsignalledSourcesPresent("/proc/thread-self/net", "/sys/module");

    /// <summary>The nf_tables generation id of the calling thread's network namespace, or null.</summary>
    internal ulong? Generation()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return Query();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or MarshalDirectiveException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether part of the ruleset can change without a generation bump: legacy x_tables tables registered in the
    /// network namespace whose <c>net</c> directory is <paramref name="procNet"/> (<c>ip_tables_names</c>,
    /// <c>ip6_tables_names</c>), or the <c>ip_set</c> module under <paramref name="sysModule"/> (sets are changed
    /// through their own netlink family).
    /// </summary>
    internal static bool UnsignalledSourcesPresent(string procNet, string sysModule) =>
        HasContent(Path.Combine(procNet, "ip_tables_names"))
        || HasContent(Path.Combine(procNet, "ip6_tables_names"))
        || Directory.Exists(Path.Combine(sysModule, "ip_set"));

    private static bool HasContent(string path)
    {
        try
        {
            return File.ReadAllText(path).AsSpan().Trim().Length > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private ulong? Query()
    {
        var fd = Socket(AfNetlink, SockRawCloexec, NetlinkNetfilter);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            var timeout = new byte[16];
            BinaryPrimitives.WriteInt64LittleEndian(timeout.AsSpan(8), 200_000);
            _ = SetSocketOption(fd, SolSocket, SoRcvtimeo, timeout, timeout.Length);

            // struct nlmsghdr (16 bytes) + struct nfgenmsg (4 bytes): family AF_UNSPEC, version 0.
            var request = new byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(0), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), GetGeneration);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), (uint)Interlocked.Increment(ref _sequence));
            var kernel = new byte[12];
            BinaryPrimitives.WriteUInt16LittleEndian(kernel, AfNetlink);
            if (SendTo(fd, request, request.Length, 0, kernel, kernel.Length) < 0)
            {
                return null;
            }

            var reply = new byte[512];
            var length = (int)Receive(fd, reply, reply.Length, 0);
            return Parse(reply.AsSpan(0, Math.Max(0, length)));
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>The generation id in an <c>NFT_MSG_NEWGEN</c> reply, or null.</summary>
    internal static ulong? Parse(ReadOnlySpan<byte> reply)
    {
        if (reply.Length < 20 || BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) != NewGeneration)
        {
            return null;
        }

        var end = Math.Min(reply.Length, (int)BinaryPrimitives.ReadUInt32LittleEndian(reply));
        var offset = 20;
        while (offset + 4 <= end)
        {
            var attributeLength = BinaryPrimitives.ReadUInt16LittleEndian(reply[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(reply[(offset + 2)..]) & 0x3FFF;
            if (attributeLength < 4)
            {
                return null;
            }

            if (type == AttributeGenerationId && attributeLength >= 8 && offset + 8 <= end)
            {
                return BinaryPrimitives.ReadUInt32BigEndian(reply[(offset + 4)..]);
            }

            offset += (attributeLength + 3) & ~3;
        }

        return null;
    }

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static extern nint SendTo(int fd, byte[] buffer, nint length, int flags, byte[] address, int addressLength);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static extern nint Receive(int fd, byte[] buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSocketOption(int fd, int level, int name, byte[] value, int length);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
