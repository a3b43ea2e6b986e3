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
}
