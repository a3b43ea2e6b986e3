using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;

namespace PortExporter.Core.Selinux;

/// <summary>
/// The cached SELinux port table. It is rebuilt only when its sources change: the binary policy files
/// (<c>/etc/selinux/TYPE/policy/policy.*</c>, rewritten by every <c>semanage port -a</c> and policy update), the
/// local customisation file (ports.local) and the config file; a failed semanage run is retried after
/// <see cref="SelinuxCollectorOptions.SemanageRetryInterval"/>. A rebuild runs in the background
/// (<see cref="BackgroundRefresh{T}"/>); a collection waits for it at most
/// <see cref="SelinuxCollectorOptions.LabelRefreshWait"/>, then goes on with the previous table. Thread-safe.
/// </summary>
/// <remarks>
/// Sources, in order: <c>semanage port -l -n</c> (the whole table: policy and local customisations), then
/// libsemanage's ports.local, which marks the local customisations (and is all there is without semanage).
/// The store paths tried are <c>/var/lib/selinux/TYPE/active/ports.local</c> (libsemanage 2.4 and later),
/// <c>/etc/selinux/TYPE/active/ports.local</c> (libsemanage 2.4-2.6 with the old store root, RHEL 7) and
/// <c>/etc/selinux/TYPE/modules/active/ports.local</c> (libsemanage 2.3 and earlier, RHEL 6). The shipped policy's
/// own port contexts live only in the binary policy and the compressed CIL modules, which are not read: without
/// semanage, a port with no local customisation is <see cref="PortLabelSource.Unknown"/>.
/// </remarks>
public sealed class PortLabelCatalog(ICommandRunner commands, SelinuxCollectorOptions options, ILogger logger) : IDisposable
{
    /// <summary>A ports.local larger than this is refused (one line per customisation: a few KiB in practice).</summary>
    public const int MaxPortsLocalBytes = 4 * 1024 * 1024;

    private BackgroundRefresh<Built>? _refresh;

    /// <summary>The table in use now (the last one built).</summary>
    public PortLabelTable Current => _refresh?.State.Current?.Table ?? PortLabelTable.Empty;

    /// <summary>Returns the current table, rebuilding it first when its sources changed.</summary>
    public async Task<PortLabelTable> GetAsync(HostPaths paths, string policyType, bool useSemanage, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var fingerprint = $"{useSemanage}|{policyType}|{Fingerprint(paths, policyType)}";
        var refresh = LazyInitializer.EnsureInitialized(ref _refresh, () => new BackgroundRefresh<Built>(time));
        var now = time.GetUtcNow();
        var running = refresh.StartIf(
            state => state.Current is not { } built || built.Fingerprint != fingerprint || built.RetrySemanageAt <= now,
            _ => BuildAsync(paths, policyType, useSemanage, fingerprint, time));

        if (running is not null)
        {
            try
            {
                await running.WaitAsync(options.LabelRefreshWait, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                SelinuxLog.LabelRefreshPending(logger, options.LabelRefreshWait);
            }
        }

        return Current;
    }

    public void Dispose() => _refresh?.Dispose();

    /// <summary>Paths whose change means the port table may have changed.</summary>
    public static IReadOnlyList<string> SourcePaths(HostPaths paths, string policyType)
    {
        var list = new List<string> { paths.Root("/etc/selinux/config") };
        list.AddRange(PortsLocalPaths(paths, policyType));
        var policyDir = paths.Root($"/etc/selinux/{policyType}/policy");
        if (Directory.Exists(policyDir))
        {
            list.AddRange(Directory.EnumerateFiles(policyDir, "policy.*").Order(StringComparer.Ordinal));
        }

        return list;
    }

    /// <summary>Candidate ports.local paths, newest store layout first.</summary>
    public static IReadOnlyList<string> PortsLocalPaths(HostPaths paths, string policyType) =>
    [
        paths.Root($"/var/lib/selinux/{policyType}/active/ports.local"),
        paths.Root($"/etc/selinux/{policyType}/active/ports.local"),
        paths.Root($"/etc/selinux/{policyType}/modules/active/ports.local"),
    ];

    private static string Fingerprint(HostPaths paths, string policyType) =>
        string.Join(';', SourcePaths(paths, policyType).Select(p =>
        {
            var info = new FileInfo(p);
            return info.Exists ? $"{p}:{info.LastWriteTimeUtc.Ticks}:{info.Length}" : $"{p}:-";
        }));

    private async Task<Built> BuildAsync(HostPaths paths, string policyType, bool useSemanage, string fingerprint, TimeProvider time)
    {
        var (local, localOrigin) = ReadPortsLocal(paths, policyType);
        IReadOnlyList<PortLabel>? policy = null;
        DateTimeOffset? retryAt = null;
        if (useSemanage)
        {
            var failure = default(string);
            var result = await commands.RunAsync(AllowedCommand.SemanagePortList, options.SemanageTimeout, CancellationToken.None).ConfigureAwait(false);
            if (!result.Found)
            {
                // Not installed: that is "no data", and it will not appear without a policy change worth a retry.
            }
            else if (!result.Succeeded)
            {
                failure = result.TimedOut ? "timed out" : result.Truncated ? "output too large" : $"exit {result.ExitCode}: {result.Stderr}";
            }
            else
            {
                try
                {
                    policy = SemanagePortListParser.Parse(result.Stdout);
                }
                catch (SelinuxFormatException e)
                {
                    failure = e.Message;
                }
            }

            if (failure is not null)
            {
                SelinuxLog.SemanageFailed(logger, failure, options.SemanageRetryInterval);
                retryAt = time.GetUtcNow() + options.SemanageRetryInterval;
            }
        }

        var table = policy is not null
            ? new PortLabelTable([.. policy, .. local], IsComplete: true, localOrigin is null ? SemanagePortListParser.SourceName : $"{SemanagePortListParser.SourceName} + {localOrigin}")
            : new PortLabelTable(local, IsComplete: false, localOrigin ?? "none");
        SelinuxLog.LabelsLoaded(logger, table.Origin, table.Labels.Count, table.IsComplete);
        return new Built(table, fingerprint, retryAt);
    }

    /// <summary>A table, the fingerprint of the sources it was built from, and when a failed semanage is retried.</summary>
    private sealed record Built(PortLabelTable Table, string Fingerprint, DateTimeOffset? RetrySemanageAt);

    private (IReadOnlyList<PortLabel> Labels, string? Origin) ReadPortsLocal(HostPaths paths, string policyType)
    {
        foreach (var path in PortsLocalPaths(paths, policyType))
        {
            try
            {
                var info = new FileInfo(path);
                if (info.Exists)
                {
                    return info.Length > MaxPortsLocalBytes
                        ? throw new SelinuxFormatException(path, "size", info.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), $"larger than {MaxPortsLocalBytes} bytes")
                        : (PortsLocalParser.Parse(File.ReadAllText(path), path), path);
                }
            }
            catch (Exception e) when (e is SelinuxFormatException or IOException or UnauthorizedAccessException)
            {
                SelinuxLog.PortsLocalUnusable(logger, e.Message);
                return ([], null);
            }
        }

        return ([], null);
    }
}
