using System.Globalization;
using System.Text;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Reads the socket tables and the two socket sysctls from a procfs tree and hands the text to
/// <see cref="ProcNetSocketParser"/> and <see cref="SocketSysctlParser"/>. A missing IPv4 table is a failure
/// (<see cref="FileNotFoundException"/>); a missing IPv6 table or sysctl is "no data". Stateless, thread-safe.
/// </summary>
/// <param name="netDirectory">Where tcp, tcp6, udp and udp6 are: <c>&lt;procfs&gt;/net</c>, or <c>/proc/PID/net</c>
/// to see the network namespace of process PID.</param>
/// <param name="sysctlNetDirectory">Where the net sysctls are: <c>&lt;procfs&gt;/sys/net</c>.</param>
public sealed class SocketTableReader(string netDirectory, string sysctlNetDirectory)
{
    /// <summary>Sysctl files longer than this are not sysctls.</summary>
    internal const int MaxSysctlLength = 256;

    /// <summary>The default first ephemeral port, used when the sysctl cannot be read.</summary>
    public const int DefaultEphemeralPortStart = 32768;

    /// <summary>The default last ephemeral port, used when the sysctl cannot be read.</summary>
    public const int DefaultEphemeralPortEnd = 60999;

    public string NetDirectory { get; } = netDirectory;

    public string SysctlNetDirectory { get; } = sysctlNetDirectory;

    /// <summary>A reader for the host's tables under <paramref name="paths"/>.</summary>
    public static SocketTableReader For(HostPaths paths) => new(paths.Proc("net"), paths.Proc("sys", "net"));

    /// <summary>Reads every table and sysctl.</summary>
    /// <param name="absent">Told the path of each optional file that does not exist (no IPv6, no sysctl).</param>
    /// <param name="cancellationToken">Stops between lines.</param>
    /// <exception cref="FileNotFoundException">tcp or udp is missing.</exception>
    /// <exception cref="ProcfsFormatException">A file is malformed.</exception>
    public SocketEvidence Read(Action<string>? absent, CancellationToken cancellationToken)
    {
        var bindV6Only = ReadSysctl(Path.Combine(SysctlNetDirectory, "ipv6", "bindv6only"), absent, (text, source) => (bool?)SocketSysctlParser.ParseBindV6Only(text, source));
        var portRange = ReadEphemeralPortRange(absent);

        var listeners = new List<Listener>();
        foreach (var table in SocketTable.All)
        {
            if (!TryReadTable(table, bindV6Only, listeners, cancellationToken))
            {
                var path = Path.Combine(NetDirectory, table.FileName);
                if (!table.IsOptional)
                {
                    throw new FileNotFoundException($"socket table {path} does not exist", path);
                }

                absent?.Invoke(path);
            }
        }

        return new SocketEvidence(listeners, portRange.First) { EphemeralPortEnd = portRange.Last };
    }

    /// <summary>The first port of <c>net.ipv4.ip_local_port_range</c>, or the kernel default when the sysctl is absent.</summary>
    public int ReadEphemeralPortStart(Action<string>? absent) => ReadEphemeralPortRange(absent).First;

    /// <summary><c>net.ipv4.ip_local_port_range</c>, or the kernel default when the sysctl is absent.</summary>
    public (int First, int Last) ReadEphemeralPortRange(Action<string>? absent) =>
        ReadSysctl(
            Path.Combine(SysctlNetDirectory, "ipv4", "ip_local_port_range"),
            absent,
            (text, source) => ((int, int)?)SocketSysctlParser.ParseLocalPortRange(text, source)) ?? (DefaultEphemeralPortStart, DefaultEphemeralPortEnd);

    /// <summary>Reads one table into <paramref name="into"/>; false when its file does not exist.</summary>
    public bool TryReadTable(SocketTable table, bool? v6OnlyDefault, ICollection<Listener> into, CancellationToken cancellationToken)
    {
        var path = Path.Combine(NetDirectory, table.FileName);
        FileStream stream;
        try
        {
            // procfs files report size 0: read them sequentially with a small buffer.
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        using (stream)
        using (var reader = new StreamReader(stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024))
        {
            ProcNetSocketParser.Parse(reader, table, path, v6OnlyDefault, into, cancellationToken);
        }

        return true;
    }

    private static T? ReadSysctl<T>(string path, Action<string>? absent, Func<string, string, T> parse)
    {
        string text;
        try
        {
            using var reader = new StreamReader(path, Encoding.ASCII, detectEncodingFromByteOrderMarks: false);
            var buffer = new char[MaxSysctlLength + 1];
            var length = reader.ReadBlock(buffer, 0, buffer.Length);
            if (length > MaxSysctlLength)
            {
                throw new ProcfsFormatException(
                    path, 1, Path.GetFileName(path), buffer.AsSpan(0, length), string.Create(CultureInfo.InvariantCulture, $"at most {MaxSysctlLength} characters"));
            }

            text = new string(buffer, 0, length);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            absent?.Invoke(path);
            return default;
        }

        return parse(text, path);
    }
}
