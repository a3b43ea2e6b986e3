namespace PortExporter.Core.Processes;

/// <summary>What one owner lookup found.</summary>
/// <param name="ByInode">Socket inode to the process holding it (the first one found: the lowest pid, usually the parent).</param>
/// <param name="UnreadableProcesses">Processes whose fd directory could not be listed, or whose fd links could not be
/// read (permission), at the last scan, while some socket's owner is still missing (it may be one of them); 0 once
/// every owner is found.</param>
/// <param name="ScannedProcesses">Processes whose fd directory this lookup listed (0 when it needed no scan).</param>
public sealed record SocketOwners(IReadOnlyDictionary<ulong, ProcessInfo> ByInode, int UnreadableProcesses, int ScannedProcesses);
