using System.Globalization;
using System.Net;
using System.Text;
using PortExporter.Core.Network;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Backend;

/// <summary>
/// Reads another network namespace through procfs, read-only and without entering it: <c>/proc/PID/net</c> shows the
/// namespace of process PID to any reader (no <c>setns</c>, which would need CAP_SYS_ADMIN, and no ptrace access).
/// Namespaces are told apart by the inode the kernel gives their own <c>net/tcp</c> entry, the same for every
/// process of one namespace; the <c>ns/net</c> link is read for display only, as reading it needs ptrace access to
/// the process (a container's process with capabilities the exporter lacks denies it). Stateless, thread-safe.
/// </summary>
internal static class NamespaceTables
{
    /// <summary>Address files longer than this are not a container's (a full routing table in the host's namespace).</summary>
    internal const int MaxAddressFileLength = 1 << 20;

    /// <summary>The namespace key of process <paramref name="pid"/>: its <c>net/tcp</c> inode; 0 when gone or unreadable.</summary>
    public static ulong KeyOf(string procfs, int pid, out bool denied)
    {
        var stat = FileIdentity.Stat(NetPath(procfs, pid, "tcp"));
        denied = stat.Status == FileStatus.Denied;
        return stat.Exists ? stat.Inode : 0;
    }

    /// <summary>The local addresses of process <paramref name="pid"/>'s namespace (IPv4 from fib_trie, IPv6 from if_inet6).</summary>
    /// <exception cref="IOException">A file could not be read or is longer than <see cref="MaxAddressFileLength"/>.</exception>
    /// <exception cref="ProcfsFormatException">A file is malformed.</exception>
    public static IReadOnlyList<IPAddress> Addresses(string procfs, int pid)
    {
        var trie = NetPath(procfs, pid, "fib_trie");
        var v6 = NetPath(procfs, pid, "if_inet6");
        var addresses = new List<IPAddress>(ProcNetParsers.ParseFibTrieLocalAddresses(ReadCapped(trie) ?? string.Empty, trie));
        if (ReadCapped(v6) is { } text)
        {
            addresses.AddRange(ProcNetParsers.ParseIfInet6(text, v6).Select(a => a.Address));
        }

        return addresses;
    }

    /// <summary>Every listener in process <paramref name="pid"/>'s namespace, from its procfs socket tables.</summary>
    /// <exception cref="FileNotFoundException">tcp or udp is missing (the process exited).</exception>
    public static IReadOnlyList<Listener> Listeners(string procfs, int pid, CancellationToken cancellationToken)
    {
        var netDirectory = Path.Combine(procfs, pid.ToString(CultureInfo.InvariantCulture), "net");
        var reader = new SocketTableReader(netDirectory, netDirectory);
        var listeners = new List<Listener>();
        foreach (var table in SocketTable.All)
        {
            // The bindv6only sysctl of another namespace is not in its procfs tables: the flag stays unknown.
            if (!reader.TryReadTable(table, null, listeners, cancellationToken) && !table.IsOptional)
            {
                var path = Path.Combine(netDirectory, table.FileName);
                throw new FileNotFoundException($"socket table {path} does not exist", path);
            }
        }

        return listeners;
    }

    /// <summary>The owners of <paramref name="inodes"/> among <paramref name="pids"/> (fds listed, links read).</summary>
    public static Dictionary<ulong, ProcessInfo> Owners(string procfs, IEnumerable<int> pids, IReadOnlyCollection<ulong> inodes, CancellationToken cancellationToken)
    {
        var owners = new Dictionary<ulong, ProcessInfo>();
        var remaining = new HashSet<ulong>(inodes);
        foreach (var pid in pids)
        {
            if (remaining.Count == 0)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var fdDirectory = Path.Combine(procfs, pid.ToString(CultureInfo.InvariantCulture), "fd");
            foreach (var fd in ProcfsEntries.List(fdDirectory, out _))
            {
                if (SocketLinkParser.TryParseSocketInode(ProcfsEntries.ReadLink(Path.Combine(fdDirectory, fd)), out var inode) && remaining.Remove(inode)
                    && Describe(procfs, pid) is { } process)
                {
                    owners[inode] = process;
                }
            }
        }

        return owners;
    }

    /// <summary>comm and exe of <paramref name="pid"/>, or null when it is gone.</summary>
    public static ProcessInfo? Describe(string procfs, int pid) =>
        ProcfsEntries.ReadComm(procfs, pid) is { } comm ? new ProcessInfo(pid, comm, ProcfsEntries.ReadExeName(procfs, pid)) : null;

    /// <summary>The <c>ns/net</c> link target of <paramref name="pid"/>, or null when not readable.</summary>
    public static string? LinkOf(string procfs, int pid) =>
        ProcfsEntries.ReadLink(Path.Combine(procfs, pid.ToString(CultureInfo.InvariantCulture), "ns", "net"));

    private static string NetPath(string procfs, int pid, string file) =>
        Path.Combine(procfs, pid.ToString(CultureInfo.InvariantCulture), "net", file);

    /// <summary>The file's text, null when it does not exist; throws when longer than <see cref="MaxAddressFileLength"/>.</summary>
    private static string? ReadCapped(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            using var reader = new StreamReader(stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024);
            var buffer = new char[MaxAddressFileLength + 1];
            var length = reader.ReadBlock(buffer, 0, buffer.Length);
            if (length > MaxAddressFileLength)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"{path} is longer than {MaxAddressFileLength} characters"));
            }

            return new string(buffer, 0, length);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
