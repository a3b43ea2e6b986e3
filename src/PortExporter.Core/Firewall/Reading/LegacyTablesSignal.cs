using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace PortExporter.Core.Firewall.Reading;

/// <summary>
/// A cheap read-only change token for the legacy x_tables (iptables-legacy, ip6tables-legacy) of the calling
/// thread's network namespace. x_tables keep no generation id; what the kernel answers cheaply is a table's
/// <c>IPT_SO_GET_INFO</c> / <c>IP6T_SO_GET_INFO</c> (a getsockopt on a raw socket, no copy of the rules): its hooks,
/// the offsets of their first rules and policies, its number of entries and its size in bytes. A rule added or
/// deleted, or replaced by one of another size, moves them; a rule replaced by one of the same size (an
/// <c>iptables -R</c> that only turns ACCEPT into DROP, a restore of a same-shaped ruleset) does not, so legacy tables
/// still count as changes the signal may miss and the refresh interval stays the backstop. Only tables the kernel
/// lists in <c>ip_tables_names</c> / <c>ip6_tables_names</c> are asked about: asking for another would make the kernel
/// create it in the namespace. The token is null when there is no legacy table or a table cannot be asked about
/// (no CAP_NET_ADMIN). Never throws. Thread-safe.
/// </summary>
public sealed class LegacyTablesSignal
{
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int SockRawCloexec = 3 | 0x80000;
    private const int IpprotoRaw = 255;
    private const int SolIp = 0;
    private const int SolIpv6 = 41;

    /// <summary><c>IPT_SO_GET_INFO</c> and <c>IP6T_SO_GET_INFO</c> (<c>IPT_BASE_CTL</c>, 64).</summary>
    private const int SoGetInfo = 64;

    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary><c>XT_TABLE_MAXNAMELEN</c>.</summary>
    private const int NameLength = 32;

    /// <summary><c>sizeof(struct ipt_getinfo)</c>: name, valid_hooks, hook_entry[5], underflow[5], num_entries, size.</summary>
    internal const int InfoLength = NameLength + 4 + (5 * 4) + (5 * 4) + 4 + 4;

    private readonly string _procNet;

    /// <param name="procNet">The <c>net</c> directory whose table lists are read (default the calling thread's).</param>
    public LegacyTablesSignal(string procNet = "/proc/thread-self/net")
    {
        _procNet = procNet;
    }

    /// <summary>A 32-bit digest (FNV-1a) of every legacy table's shape, or null (no legacy table, or one could not be asked about).</summary>
    public uint? Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var ipv4 = TableNames(Path.Combine(_procNet, "ip_tables_names"));
        var ipv6 = TableNames(Path.Combine(_procNet, "ip6_tables_names"));
        if (ipv4.Count == 0 && ipv6.Count == 0)
        {
            return null;
        }

        try
        {
            var hash = FnvOffset;
            return Add(ref hash, AfInet, SolIp, ipv4) && Add(ref hash, AfInet6, SolIpv6, ipv6) ? hash : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or MarshalDirectiveException)
        {
            return null;
        }
    }

    /// <summary>The table names listed in <paramref name="path"/>, sorted; empty when it is missing or unreadable.</summary>
    internal static List<string> TableNames(string path)
    {
        // A few short names: read into the stack, not through a stream (this runs on every scrape).
        Span<byte> buffer = stackalloc byte[512];
        int length;
        try
        {
            using var handle = File.OpenHandle(path);
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        ReadOnlySpan<byte> text = buffer[..length];
        var names = new List<string>(4);
        foreach (var line in text.Split((byte)'\n'))
        {
            var name = text[line].Trim((byte)' ');
            if (name.Length is > 0 and < NameLength)
            {
                names.Add(Encoding.ASCII.GetString(name));
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static void Mix(ref uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * FnvPrime;
        }
    }

    /// <summary>Adds each table's answer to <paramref name="hash"/>; false when one could not be read.</summary>
    private static bool Add(ref uint hash, int family, int level, List<string> tables)
    {
        if (tables.Count == 0)
        {
            return true;
        }

        var fd = Socket(family, SockRawCloexec, IpprotoRaw);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            var info = new byte[InfoLength];
            Span<byte> header = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(header, family);
            foreach (var table in tables)
            {
                Array.Clear(info);
                Encoding.ASCII.GetBytes(table, info);
                var length = info.Length;
                if (GetSocketOption(fd, level, SoGetInfo, info, ref length) != 0 || length != InfoLength)
                {
                    return false;
                }

                Mix(ref hash, header);
                Mix(ref hash, info);
            }

            return true;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static extern int GetSocketOption(int fd, int level, int name, byte[] value, ref int length);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
