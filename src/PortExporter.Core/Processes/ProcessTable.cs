namespace PortExporter.Core.Processes;

/// <summary>
/// Answers "does a process named X run?" from <c>&lt;procfs&gt;</c>, as <c>ps aux | grep X</c> would, matching
/// <see cref="ProcessInfo.Matches"/>: comm (also when the kernel cut it to 15 characters) or the basename of
/// exe. Names that a just-read process (a listener's owner) matches are answered without a scan; otherwise comm
/// is read for every process, exe only while a name is still unmatched by comm, the network namespace only of a
/// process that matches, and the scan stops when every name is found. Stateless, thread-safe.
/// </summary>
public static class ProcessTable
{
    /// <summary>For each of <paramref name="names"/>, whether a matching process runs.</summary>
    /// <param name="procfs">The procfs root.</param>
    /// <param name="names">The expected process names.</param>
    /// <param name="cancellationToken">Stops between processes.</param>
    /// <param name="networkNamespace">The <c>ns/net</c> link target of the namespace whose sockets are read: a scanned
    /// process whose own link reads otherwise runs elsewhere (another container or namespace) and does not count; one
    /// whose link may not be read (another user's, without ptrace access) counts. Null: every process counts.</param>
    /// <param name="known">Processes whose comm and exe were just read (the listeners' owners of this collection, so
    /// in that namespace): a name one of them matches needs no scan, once its /proc/PID/stat shows it is not a
    /// zombie. Their comm is taken as read now, never from an earlier collection, since exec changes it.</param>
    /// <param name="elsewhere">When given, gets the names that a process in another network namespace matches while
    /// none in <paramref name="networkNamespace"/> does (a service in a container whose port the host publishes).</param>
    public static IReadOnlyDictionary<string, bool> FindRunning(
        string procfs,
        IReadOnlyCollection<string> names,
        CancellationToken cancellationToken,
        string? networkNamespace = null,
        IEnumerable<ProcessInfo>? known = null,
        ISet<string>? elsewhere = null)
    {
        var running = names.Distinct(StringComparer.Ordinal).ToDictionary(n => n, _ => false, StringComparer.Ordinal);
        var unmatched = new HashSet<string>(running.Keys, StringComparer.Ordinal);
        var checkedPids = new HashSet<int>();
        foreach (var process in known ?? [])
        {
            if (unmatched.Count == 0)
            {
                break;
            }

            if (checkedPids.Add(process.Pid) && unmatched.Any(process.Matches) && !ProcfsEntries.IsDead(procfs, process.Pid))
            {
                Mark(unmatched.Where(process.Matches).ToList(), unmatched, running);
            }
        }

        foreach (var pid in unmatched.Count == 0 ? [] : ProcfsEntries.Pids(procfs))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var comm = ProcfsEntries.ReadComm(procfs, pid);
            if (comm is null || ProcfsEntries.IsDead(procfs, pid))
            {
                continue;
            }

            var matched = unmatched.Contains(comm) ? [comm] : new List<string>();
            if (matched.Count < unmatched.Count)
            {
                var process = new ProcessInfo(pid, comm, ProcfsEntries.ReadExeName(procfs, pid));
                matched.AddRange(unmatched.Where(n => !string.Equals(n, comm, StringComparison.Ordinal) && process.Matches(n)));
            }

            if (matched.Count > 0 && InNamespace(procfs, pid, networkNamespace))
            {
                Mark(matched, unmatched, running);
            }
            else if (matched.Count > 0)
            {
                elsewhere?.UnionWith(matched);
            }

            if (unmatched.Count == 0)
            {
                break;
            }
        }

        elsewhere?.ExceptWith(running.Where(r => r.Value).Select(r => r.Key));
        return running;
    }

    private static void Mark(List<string> matched, HashSet<string> unmatched, Dictionary<string, bool> running)
    {
        foreach (var name in matched)
        {
            running[name] = true;
            unmatched.Remove(name);
        }
    }

    /// <summary>False only when the process's network namespace is known and another than <paramref name="networkNamespace"/>.</summary>
    private static bool InNamespace(string procfs, int pid, string? networkNamespace)
    {
        if (networkNamespace is null)
        {
            return true;
        }

        var theirs = ProcfsEntries.ReadLink(Path.Combine(procfs, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "ns", "net"));
        return theirs is null || string.Equals(theirs, networkNamespace, StringComparison.Ordinal);
    }
}
