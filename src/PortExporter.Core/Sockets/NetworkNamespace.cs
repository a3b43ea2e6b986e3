namespace PortExporter.Core.Sockets;

/// <summary>Whether a procfs root describes the network namespace this process runs in.</summary>
public static class NetworkNamespace
{
    /// <summary>
    /// True for <c>/proc</c>, and for another procfs mount (a container's <c>/host/proc</c>) whose PID 1 is in
    /// this process's network namespace. False for fixture trees and when the link cannot be read.
    /// </summary>
    public static bool IsOwn(string procfs)
    {
        if (Path.GetFullPath(procfs).TrimEnd('/') == "/proc")
        {
            return true;
        }

        try
        {
            var theirs = new FileInfo(Path.Combine(procfs, "1", "ns", "net")).LinkTarget;
            var ours = new FileInfo("/proc/self/ns/net").LinkTarget;
            return theirs is not null && string.Equals(theirs, ours, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The <c>ns/net</c> link target (<c>net:[4026531840]</c>) of the calling thread, or null when unreadable.</summary>
    public static string? OfThisThread() => LinkOf("/proc/thread-self/ns/net");

    /// <summary>
    /// The <c>ns/net</c> link target of the namespace a <c>net</c> directory shows: <c>/proc/PID/net</c> is PID's,
    /// <c>&lt;procfs&gt;/net</c> is <c>&lt;procfs&gt;/self</c>'s. Null when unreadable (fixture trees).
    /// </summary>
    public static string? OfNetDirectory(string netDirectory)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(netDirectory));
        if (parent is null)
        {
            return null;
        }

        var self = Path.Combine(parent, "self", "ns", "net");
        return LinkOf(File.Exists(Path.Combine(parent, "self", "stat")) ? self : Path.Combine(parent, "ns", "net"));
    }

    private static string? LinkOf(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
