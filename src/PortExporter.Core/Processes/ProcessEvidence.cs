namespace PortExporter.Core.Processes;

/// <summary>Owners of the listening sockets, and the state of the expected processes and units.</summary>
/// <param name="OwnersByInode">Socket inode to the process holding it (first one found).</param>
/// <param name="RunningByName">For every configured <c>process</c>: whether a process of that name runs.</param>
/// <param name="Units">For every configured <c>unit</c> that systemd answered for.</param>
/// <param name="SystemdAvailable">False when systemd could not be asked, or was not (no unit configured); units are then unknown, not inactive.</param>
/// <param name="UnreadableProcesses">How many processes' /proc/PID/fd could not be listed or its links read (permission) at the last scan, so owners may be missing.</param>
public sealed record ProcessEvidence(
    IReadOnlyDictionary<ulong, ProcessInfo> OwnersByInode,
    IReadOnlyDictionary<string, bool> RunningByName,
    IReadOnlyDictionary<string, UnitState> Units,
    bool SystemdAvailable,
    int UnreadableProcesses)
{
    /// <summary>
    /// Configured process names no process runs under in the sockets' network namespace while one in another does
    /// (a container's); empty when every name runs here or nowhere.
    /// </summary>
    public IReadOnlySet<string> RunningElsewhere { get; init; } = new HashSet<string>();
}
