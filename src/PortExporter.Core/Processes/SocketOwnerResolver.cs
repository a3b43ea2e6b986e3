using System.Globalization;

namespace PortExporter.Core.Processes;

/// <summary>
/// Finds the process behind each socket inode, as <c>ss -p</c> and <c>lsof -i</c> do: every
/// <c>&lt;procfs&gt;/PID/fd/N</c> link reading <c>socket:[INODE]</c>. It looks only for the inodes it is asked for,
/// lowest pid first, and stops as soon as all are found.
/// </summary>
/// <remarks>
/// <para>Between lookups it remembers where each inode was (pid and fd) and trusts that only after reading that
/// one link again, so a restarted service or a reused pid is never reported from memory.</para>
/// <para>An inode that a whole scan did not find (a kernel socket such as WireGuard's or nfsd's, a process in
/// another pid namespace, or one whose fds are not readable) is not searched for again until
/// <paramref name="unownedRetry"/> has passed, so one such listener does not cost a scan of every process's fds
/// at every scrape.</para>
/// <para>Thread-safe (lookups are serialised).</para>
/// </remarks>
/// <param name="unownedRetry">How long an inode no process held stays unsearched; default <see cref="DefaultUnownedRetry"/>.</param>
public sealed class SocketOwnerResolver(TimeSpan? unownedRetry = null)
{
    public static readonly TimeSpan DefaultUnownedRetry = TimeSpan.FromMinutes(1);

    private readonly TimeSpan _unownedRetry = unownedRetry ?? DefaultUnownedRetry;
    private readonly Lock _gate = new();
    private Dictionary<ulong, FdLocation> _owned = [];
    private Dictionary<ulong, DateTimeOffset> _unowned = [];
    private int _lastUnreadable;
    private string? _procfs;

    /// <summary>Looks up the owners of <paramref name="inodes"/> under <paramref name="procfs"/>.</summary>
    /// <param name="procfs">The procfs root.</param>
    /// <param name="inodes">The socket inodes whose owners are wanted.</param>
    /// <param name="now">The collection's time, for the unowned-inode retry.</param>
    /// <param name="cancellationToken">Stops between processes.</param>
    public SocketOwners Resolve(string procfs, IReadOnlyCollection<ulong> inodes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!string.Equals(procfs, _procfs, StringComparison.Ordinal))
            {
                _owned = [];
                _unowned = [];
                _lastUnreadable = 0;
                _procfs = procfs;
            }

            var found = new Dictionary<ulong, FdLocation>(inodes.Count);
            var unowned = new Dictionary<ulong, DateTimeOffset>();
            var remaining = new HashSet<ulong>();
            foreach (var inode in inodes)
            {
                if (_owned.TryGetValue(inode, out var known) && StillHolds(procfs, known, inode))
                {
                    found[inode] = known;
                }
                else if (_unowned.TryGetValue(inode, out var searched) && now - searched < _unownedRetry)
                {
                    unowned[inode] = searched;
                }
                else
                {
                    remaining.Add(inode);
                }
            }

            var scanned = 0;
            if (remaining.Count > 0)
            {
                (_lastUnreadable, scanned) = Scan(procfs, remaining, found, cancellationToken);
                foreach (var inode in remaining)
                {
                    unowned[inode] = now;
                }
            }

            var owners = Describe(procfs, found);
            _owned = found.Where(f => owners.ContainsKey(f.Key)).ToDictionary(f => f.Key, f => f.Value);
            _unowned = unowned;
            // Unreadable processes matter only while an owner is missing: once every socket's owner is found, the
            // processes the search could not read hid nothing (a sandbox's init, another tenant's daemon).
            return new SocketOwners(owners, unowned.Count > 0 ? _lastUnreadable : 0, scanned);
        }
    }

    private static bool StillHolds(string procfs, FdLocation location, ulong inode) =>
        SocketLinkParser.TryParseSocketInode(ProcfsEntries.ReadLink(location.Path(procfs)), out var now) && now == inode;

    /// <summary>Lists fds until every inode in <paramref name="remaining"/> is found; what is left was not found.</summary>
    private static (int Unreadable, int Scanned) Scan(
        string procfs, HashSet<ulong> remaining, Dictionary<ulong, FdLocation> found, CancellationToken cancellationToken)
    {
        var unreadable = 0;
        var scanned = 0;
        foreach (var pid in ProcfsEntries.Pids(procfs))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fdDirectory = Path.Combine(procfs, pid.ToString(CultureInfo.InvariantCulture), "fd");
            var fds = ProcfsEntries.List(fdDirectory, out var error);
            if (error is ProcfsEntries.AccessDenied or ProcfsEntries.PermissionDenied)
            {
                unreadable++;
                continue;
            }

            if (error != 0 && fds.Count == 0)
            {
                continue; // exited since /proc was listed
            }

            scanned++;
            foreach (var fd in fds)
            {
                // Listing the fds needs CAP_DAC_READ_SEARCH; reading the links needs ptrace access (CAP_SYS_PTRACE) too.
                var target = ProcfsEntries.ReadLink(Path.Combine(fdDirectory, fd), out var denied);
                if (denied)
                {
                    unreadable++;
                    break;
                }

                if (SocketLinkParser.TryParseSocketInode(target, out var inode) && remaining.Remove(inode))
                {
                    found[inode] = new FdLocation(pid, fd);
                    if (remaining.Count == 0)
                    {
                        return (unreadable, scanned);
                    }
                }
            }
        }

        return (unreadable, scanned);
    }

    /// <summary>
    /// comm and exe of each owning process, and a userland proxy's backend (<see cref="ProcessInfo.Forward"/>); inodes
    /// whose process vanished meanwhile are dropped.
    /// </summary>
    private static Dictionary<ulong, ProcessInfo> Describe(string procfs, Dictionary<ulong, FdLocation> found)
    {
        var processes = new Dictionary<int, ProcessInfo?>();
        var owners = new Dictionary<ulong, ProcessInfo>(found.Count);
        foreach (var (inode, location) in found)
        {
            if (!processes.TryGetValue(location.Pid, out var process))
            {
                var comm = ProcfsEntries.ReadComm(procfs, location.Pid);
                process = comm is null ? null : new ProcessInfo(location.Pid, comm, ProcfsEntries.ReadExeName(procfs, location.Pid));
                if (process is not null && SocketHolders.Of(process)?.Forward is { } forward
                    && ProcfsEntries.ReadArguments(procfs, location.Pid) is { } arguments)
                {
                    process = process with { Forward = forward(arguments) };
                }

                processes[location.Pid] = process;
            }

            if (process is not null)
            {
                owners[inode] = process;
            }
        }

        return owners;
    }

    /// <summary>Where a socket was seen: process and fd number.</summary>
    private readonly record struct FdLocation(int Pid, string Fd)
    {
        public string Path(string procfs) => System.IO.Path.Combine(procfs, Pid.ToString(CultureInfo.InvariantCulture), "fd", Fd);
    }
}
