using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Selinux;

/// <summary>
/// Hypothesis D's evidence: the SELinux mode (selinuxfs and the config file), each watched port's SELinux type
/// (cached port table, see <see cref="PortLabelCatalog"/>) and the AVC denials of port permissions in the audit log
/// (read incrementally, see <see cref="AuditLogReader"/>). With no selinuxfs the evidence says "disabled" and
/// nothing else is read. Denial counts live in this instance and only grow while the exporter runs.
/// Thread-safe: collections are serialised on an internal lock.
/// </summary>
public sealed class SelinuxCollector : IPortEvidenceCollector<SelinuxEvidence>, IDisposable
{
    private readonly SelinuxCollectorOptions _options;
    private readonly ILogger<SelinuxCollector> _logger;
    private readonly PortLabelCatalog _catalog;
    private readonly Lock _gate = new();
    private readonly DenialLedger _ledger = new();
    private AuditLogReader? _reader;
    private DateTimeOffset? _startedAt;
    private long _malformed;
    private long _bytesRead;
    private AuditLogState? _lastLogState;

    public SelinuxCollector(ICommandRunner commands, ILogger<SelinuxCollector> logger, SelinuxCollectorOptions? options = null)
    {
        _options = options ?? SelinuxCollectorOptions.Default;
        _logger = logger;
        _catalog = new PortLabelCatalog(commands, _options, logger);
    }

    public string Name => CollectorNames.Selinux;

    public void Dispose() => _catalog.Dispose();

    public async Task<SelinuxEvidence?> CollectAsync(CollectionContext context, HostFacts facts, IReadOnlyList<PortSpec> ports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(ports);
        var paths = context.Paths;
        var host = SelinuxHostReader.Read(paths);
        if (host.ConfigError is not null)
        {
            SelinuxLog.ConfigUnusable(_logger, host.ConfigError);
        }

        lock (_gate)
        {
            _startedAt ??= context.Time.GetUtcNow();
        }

        if (!host.Enabled)
        {
            SelinuxLog.NotEnabled(_logger, paths.Sysfs);

            return new SelinuxEvidence(false, SelinuxMode.Disabled, host.Config?.Mode, new Dictionary<PortKey, SelinuxPortResult>(), host.Config?.PolicyType);
        }

        var policyType = host.Config?.EffectivePolicyType ?? SelinuxConfigFile.DefaultPolicyType;
        var useSemanage = _options.Semanage switch
        {
            SemanageUse.Always => true,
            SemanageUse.Never => false,
            _ => Path.GetFullPath(paths.Rootfs) == "/",
        };
        var table = await _catalog.GetAsync(paths, policyType, useSemanage, context.Time, cancellationToken).ConfigureAwait(false);
        var auditPath = paths.Root(context.Config.Selinux.AuditLog);
        var bootTime = ProcessStartTime.ReadBootTime(paths);

        lock (_gate)
        {
            var audit = ReadAudit(auditPath, ports, cancellationToken);
            var results = new Dictionary<PortKey, SelinuxPortResult>();
            foreach (var port in ports)
            {
                results[port.Key] = Judge(port, host, table, facts, paths, bootTime);
            }

            return new SelinuxEvidence(
                true, host.CurrentMode, host.Config?.Mode, results, policyType, table.Origin, table.IsComplete, audit);
        }
    }

    private AuditLogStatus ReadAudit(string path, IReadOnlyList<PortSpec> ports, CancellationToken cancellationToken)
    {
        if (_reader is null || _reader.Path != path)
        {
            _reader = new AuditLogReader(path, _options.MaxAuditBytesPerCollection, _options.InitialAuditBacklogBytes, _options.RotatedAuditFilesToSearch);
        }

        _ledger.Watch(ports.Select(p => p.Key));
        var result = _reader.ReadNew(
            line =>
            {
                switch (AvcRecordParser.Parse(line, _ledger.Filter, out var denial))
                {
                    case AuditLineKind.Denial:
                        _ledger.Record(denial!);
                        break;
                    case AuditLineKind.Malformed:
                        _malformed++;
                        break;
                }
            },
            cancellationToken);
        _malformed += result.OverlongLines;
        _bytesRead += result.BytesRead;
        ReportLogState(path, result);
        return new AuditLogStatus(path, result.State, result.BytesBehind, _malformed, _bytesRead);
    }

    private void ReportLogState(string path, AuditReadResult result)
    {
        if (result.State != _lastLogState)
        {
            if (result.State == AuditLogState.Missing)
            {
                SelinuxLog.AuditLogMissing(_logger, path);
            }
            else if (result.State == AuditLogState.Unreadable)
            {
                SelinuxLog.AuditLogUnreadable(_logger, path);
            }

            _lastLogState = result.State;
        }

        if (result.Rotated || result.Truncated)
        {
            SelinuxLog.AuditLogReset(_logger, path, result.Rotated, result.Truncated);
        }

        if (result.BytesBehind > 0)
        {
            SelinuxLog.AuditLogBehind(_logger, path, result.BytesRead, result.BytesBehind);
        }
    }

    private SelinuxPortResult Judge(PortSpec port, SelinuxHostState host, PortLabelTable table, HostFacts facts, HostPaths paths, long? bootTime)
    {
        var (type, source) = table.Lookup(port.Key);
        bool? labelOk = port.SelinuxType is null || source == PortLabelSource.Unknown
            ? null
            : string.Equals(type, port.SelinuxType, StringComparison.Ordinal);
        var denials = _ledger.For(port.Key);
        var since = DenialsSince(port, facts, paths, bootTime);
        var deniedSinceStart = denials.LastEnforcedAt is { } at && (since is null || at >= since);
        var enforcing = host.Enabled && host.CurrentMode == SelinuxMode.Enforcing;
        var allowed = !(enforcing && (labelOk == false || deniedSinceStart));
        return new SelinuxPortResult(
            type,
            labelOk,
            denials.Counts(),
            denials.LastAt,
            denials.LastSourceType,
            allowed,
            source,
            denials.LastPermission,
            denials.LastComm,
            since,
            deniedSinceStart,
            SelinuxFix.Command(port, table));
    }

    /// <summary>See <see cref="SelinuxPortResult.DenialsSince"/>.</summary>
    private DateTimeOffset? DenialsSince(PortSpec port, HostFacts facts, HostPaths paths, long? bootTime)
    {
        if (facts.Sockets is null)
        {
            return _startedAt;
        }

        var listeners = facts.Sockets.For(port.Key).ToList();
        if (listeners.Count == 0)
        {
            return null;
        }

        DateTimeOffset? newest = null;
        if (facts.Processes is not null && bootTime is { } boot)
        {
            foreach (var listener in listeners)
            {
                if (facts.Processes.OwnersByInode.TryGetValue(listener.Inode, out var owner)
                    && ProcessStartTime.Read(paths, boot, owner.Pid) is { } started
                    && (newest is null || started > newest))
                {
                    newest = started;
                }
            }
        }

        return newest ?? _startedAt;
    }
}
