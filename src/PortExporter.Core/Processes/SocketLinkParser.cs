using System.Globalization;

namespace PortExporter.Core.Processes;

/// <summary>Parses the target of a <c>/proc/PID/fd/N</c> link: <c>socket:[12345]</c> names socket inode 12345. Pure.</summary>
public static class SocketLinkParser
{
    private const string Prefix = "socket:[";

    /// <summary>The socket inode the link target names, or false for anything else (files, pipes, anon inodes).</summary>
    public static bool TryParseSocketInode(ReadOnlySpan<char> target, out ulong inode)
    {
        inode = 0;
        return target.StartsWith(Prefix, StringComparison.Ordinal)
            && target.Length > Prefix.Length + 1
            && target[^1] == ']'
            && ulong.TryParse(target[Prefix.Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }
}
