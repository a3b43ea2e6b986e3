using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Processes;

/// <summary>
/// The processes evidence: the owner (pid, comm, exe) of each listener on a watched port (of every listener
/// when ports are discovered), whether each configured <c>process</c> runs, and each configured <c>unit</c>'s
/// state where systemd answers. A host fact that reads the listeners of the <see cref="HostFacts"/> gathered before
/// it; without them it still checks processes and units. Owner lookups are remembered between collections (see
/// <see cref="SocketOwnerResolver"/>: a known owner is checked with one readlink, an inode nobody held is
/// searched again after a minute); collections are serialised on that memory. <c>systemctl</c> runs once per
/// configured unit per collection, each run with <see cref="ConfigDefaults.CommandTimeout"/> or half the time left
/// before the deadline, whichever is shorter: a hung systemd makes the units unknown, and leaves the per-port
/// evidence, which runs after the host facts, its time. Processes whose open files may not be read are counted in the evidence and
/// logged once (warning) when they appear.
/// </summary>
/// <param name="commands">Runs <c>systemctl show</c>.</param>
/// <param name="logger">Debug lines: owners found, systemd not available.</param>
public sealed class ProcessCollector(ICommandRunner commands, ILogger<ProcessCollector> logger) : IHostFactCollector<ProcessEvidence>
{
    private readonly SocketOwnerResolver _owners = new();
    private readonly SystemdUnitReader _units = new(commands);
    private int _reportedUnreadable;

    public string Name => CollectorNames.Processes;

    public async Task<ProcessEvidence> CollectAsync(CollectionContext context, HostFacts known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(known);
        var config = context.Config;
        var procfs = context.Paths.Procfs;

        var inodes = WatchedInodes(config, known.Sockets?.Listeners ?? []);
        var owners = _owners.Resolve(procfs, inodes, context.Time.GetUtcNow(), cancellationToken);
        ProcessLog.OwnersResolved(logger, owners.ByInode.Count, inodes.Count, owners.ScannedProcesses, owners.UnreadableProcesses);
        ReportUnreadable(owners.UnreadableProcesses);

        var names = config.Ports.Select(p => p.Process).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var elsewhere = new HashSet<string>(StringComparer.Ordinal);
        var running = ProcessTable.FindRunning(procfs, names, cancellationToken, known.Sockets?.NetworkNamespace, owners.ByInode.Values, elsewhere);

        var units = config.Ports.Select(p => p.Unit).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var report = await _units.ReadAsync(units, UnitTimeout(context), cancellationToken).ConfigureAwait(false);
        if (report.Problem is not null)
        {
            ProcessLog.SystemdUnavailable(logger, report.Problem);
        }

        return new ProcessEvidence(owners.ByInode, running, report.Units, report.SystemdAvailable, owners.UnreadableProcesses) { RunningElsewhere = elsewhere };
    }

    /// <summary>The timeout of one systemctl run: the configured one, or half the time left before the deadline.</summary>
    internal static TimeSpan UnitTimeout(CollectionContext context)
    {
        var half = context.HalfTimeLeft();
        return half < ConfigDefaults.CommandTimeout ? half : ConfigDefaults.CommandTimeout;
    }

    /// <summary>Logs when processes with unreadable open files appear (warning) or are gone (information), not every collection.</summary>
    private void ReportUnreadable(int unreadable)
    {
        var before = Interlocked.Exchange(ref _reportedUnreadable, unreadable);
        if (unreadable > 0 && before == 0)
        {
            ProcessLog.ProcessesUnreadable(logger, unreadable);
        }
        else if (unreadable == 0 && before > 0)
        {
            ProcessLog.ProcessesReadable(logger);
        }
    }

    /// <summary>The inodes of the listeners whose owners matter: those on configured ports, or all when discovering.</summary>
    internal static HashSet<ulong> WatchedInodes(ExporterConfig config, IReadOnlyList<Sockets.Listener> listeners)
    {
        var watched = config.DiscoversPorts ? null : config.Ports.Select(p => p.Key).ToHashSet();
        return listeners.Where(l => watched is null || watched.Contains(l.Key)).Select(l => l.Inode).Where(i => i != 0).ToHashSet();
    }
}
