using System.IO.Enumeration;
using System.Runtime.InteropServices;
using System.Text;

namespace PortExporter.Core.Processes;

/// <summary>
/// Small, exception-light reads of <c>/proc/PID</c> entries. Processes come and go while they are read: a
/// vanished process or fd is "nothing there", a permission error is reported to the caller to count.
/// </summary>
internal static partial class ProcfsEntries
{
    /// <summary>errno EPERM.</summary>
    public const int PermissionDenied = 1;

    /// <summary>errno EACCES.</summary>
    public const int AccessDenied = 13;

    /// <summary>Longest comm accepted (the kernel's is 15 characters).</summary>
    private const int MaxCommLength = 64;

    /// <summary>PATH_MAX: a longer link target is cut.</summary>
    private const int MaxLinkLength = 4096;

    /// <summary>The numeric entries of <paramref name="procfs"/> (one per process), lowest first as /proc lists them.</summary>
    public static List<int> Pids(string procfs)
    {
        using var entries = new EntryEnumerator(procfs);
        var pids = new List<int>();
        while (entries.MoveNext())
        {
            if (int.TryParse(entries.Current, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                pids.Add(pid);
            }
        }

        pids.Sort();
        return pids;
    }

    /// <summary>Lists a directory's entry names; <paramref name="error"/> is the errno that stopped it (0: none).</summary>
    public static List<string> List(string directory, out int error)
    {
        using var entries = new EntryEnumerator(directory);
        var names = new List<string>();
        while (entries.MoveNext())
        {
            names.Add(entries.Current);
        }

        error = entries.Error;
        return names;
    }

    /// <summary>A symlink's target, or null when it is gone, not a link, or not readable.</summary>
    public static string? ReadLink(string path) => ReadLink(path, out _);

    /// <summary>
    /// A symlink's target, or null; <paramref name="denied"/> is true when reading it was not permitted (another
    /// user's /proc/PID/fd/N without ptrace access). readlink(2) itself, because .NET's LinkTarget answers null
    /// for every error alike.
    /// </summary>
    public static string? ReadLink(string path, out bool denied)
    {
        Span<byte> buffer = stackalloc byte[MaxLinkLength];
        var length = ReadLinkNative(path, ref MemoryMarshal.GetReference(buffer), buffer.Length);
        if (length < 0)
        {
            denied = Marshal.GetLastPInvokeError() is AccessDenied or PermissionDenied;
            return null;
        }

        denied = false;
        return Encoding.UTF8.GetString(buffer[..(int)length]);
    }

    /// <summary><c>/proc/PID/comm</c> without its newline, or null when the process is gone.</summary>
    public static string? ReadComm(string procfs, int pid)
    {
        var path = Path.Combine(procfs, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "comm");
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
            var buffer = new char[MaxCommLength + 1];
            var length = reader.ReadBlock(buffer, 0, buffer.Length);
            var text = buffer.AsSpan(0, Math.Min(length, MaxCommLength));
            var newline = text.IndexOf('\n');
            return new string(newline >= 0 ? text[..newline] : text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The most of <c>/proc/PID/cmdline</c> read (a proxy's flags are well within it).</summary>
    public const int MaxArgumentBytes = 4096;

    /// <summary>
    /// The arguments of <c>/proc/PID/cmdline</c>, program first, from its first <see cref="MaxArgumentBytes"/> bytes (a
    /// longer command line is cut there); null when the process is gone or has none (a kernel thread, a zombie).
    /// </summary>
    public static IReadOnlyList<string>? ReadArguments(string procfs, int pid)
    {
        var path = Path.Combine(procfs, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cmdline");
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            var buffer = new byte[MaxArgumentBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = file.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            var text = buffer.AsSpan(0, length).TrimEnd((byte)0);
            return text.IsEmpty ? null : Encoding.UTF8.GetString(text).Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The basename of <c>/proc/PID/exe</c>, or null (kernel thread, gone, or not permitted).</summary>
    public static string? ReadExeName(string procfs, int pid)
    {
        var target = ReadLink(Path.Combine(procfs, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "exe"));
        if (string.IsNullOrEmpty(target))
        {
            return null;
        }

        // A replaced or deleted binary reads "/usr/sbin/nginx (deleted)".
        const string deleted = " (deleted)";
        if (target.EndsWith(deleted, StringComparison.Ordinal))
        {
            target = target[..^deleted.Length];
        }

        var name = Path.GetFileName(target);
        return name.Length == 0 ? null : name;
    }

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadLinkNative(string path, ref byte buffer, nint size);

    /// <summary>Reads entry names of one directory and keeps the errno instead of throwing.</summary>
    private sealed class EntryEnumerator(string directory)
        : FileSystemEnumerator<string>(directory, Options)
    {
        private static readonly EnumerationOptions Options = new()
        {
            IgnoreInaccessible = false,
            RecurseSubdirectories = false,
            AttributesToSkip = 0,
            ReturnSpecialDirectories = false,
        };

        /// <summary>The last errno met, 0 when none.</summary>
        public int Error { get; private set; }

        protected override bool ContinueOnError(int error)
        {
            Error = error;
            return true;
        }

        protected override string TransformEntry(ref FileSystemEntry entry) => entry.FileName.ToString();
    }

    /// <summary>
    /// True when /proc/PID/stat says the process has exited and waits to be reaped (state Z or X): a zombie
    /// keeps its comm but runs nothing. False when stat is missing or unreadable.
    /// </summary>
    public static bool IsDead(string procfs, int pid) => ProcStat.Read(procfs, pid) is { IsDead: true };
}
