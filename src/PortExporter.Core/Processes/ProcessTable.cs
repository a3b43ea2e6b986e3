namespace PortExporter.Core.Processes;

/// <summary>
/// Answers "does a process named X run?" from <c>&lt;procfs&gt;</c>, as <c>ps aux | grep X</c> would, matching
/// <see cref="ProcessInfo.Matches"/>: comm (also when the kernel cut it to 15 characters) or the basename of
/// exe. Names that a just-read process (a listener's owner) matches are answered without a scan; otherwise comm
/// is read for every process, exe only while a name is still unmatched by comm, and the scan stops when every
/// name is found. Stateless, thread-safe.
/// </summary>
public static class ProcessTable
{
    /// <summary>For each of <paramref name="names"/>, whether a matching process runs.</summary>
    /// <param name="procfs">The procfs root.</param>
    /// <param name="names">The expected process names.</param>
    /// <param name="cancellationToken">Stops between processes.</param>
    /// <param name="known">Processes whose comm and exe were just read (the listeners' owners of this collection):
    /// a name one of them matches needs no scan, once its /proc/PID/stat shows it is not a zombie. Their comm is
    /// taken as read now, never from an earlier collection, since exec changes it.</param>
    public static IReadOnlyDictionary<string, bool> FindRunning(
        string procfs, IReadOnlyCollection<string> names, CancellationToken cancellationToken, IEnumerable<ProcessInfo>? known = null)
    {
        var running = names.Distinct(StringComparer.Ordinal).ToDictionary(n => n, _ => false, StringComparer.Ordinal);
        var unmatched = new HashSet<string>(running.Keys, StringComparer.Ordinal);
        if (unmatched.Count == 0)
        {
            return running;
        }

        if (known is not null)
        {
            var checkedPids = new HashSet<int>();
            foreach (var process in known)
            {
                if (unmatched.Count == 0)
                {
                    return running;
                }

                if (checkedPids.Add(process.Pid) && unmatched.Any(process.Matches) && !ProcfsEntries.IsDead(procfs, process.Pid))
                {
                    MarkMatches(process, unmatched, running);
                }
            }

            if (unmatched.Count == 0)
            {
                return running;
            }
        }

        foreach (var pid in ProcfsEntries.Pids(procfs))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var comm = ProcfsEntries.ReadComm(procfs, pid);
            if (comm is null || ProcfsEntries.IsDead(procfs, pid))
            {
                continue;
            }

            if (unmatched.Remove(comm))
            {
                running[comm] = true;
            }

            if (unmatched.Count > 0)
            {
                MarkMatches(new ProcessInfo(pid, comm, ProcfsEntries.ReadExeName(procfs, pid)), unmatched, running);
            }

            if (unmatched.Count == 0)
            {
                break;
            }
        }

        return running;
    }

    /// <summary>Marks the names <paramref name="process"/> matches.</summary>
    private static void MarkMatches(ProcessInfo process, HashSet<string> unmatched, Dictionary<string, bool> running)
    {
        foreach (var name in unmatched.Where(process.Matches).ToList())
        {
            running[name] = true;
            unmatched.Remove(name);
        }
    }
}
