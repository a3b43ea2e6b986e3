using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Selinux;

/// <summary>Log lines of the SELinux collector, with fixed event ids (500-519).</summary>
internal static partial class SelinuxLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "SELinux is not enabled (no selinuxfs enforce file under {Sysfs}): no SELinux evidence")]
    public static partial void NotEnabled(ILogger logger, string sysfs);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "SELinux config file unusable: {Error}")]
    public static partial void ConfigUnusable(ILogger logger, string error);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "SELinux port table loaded from {Origin}: {Count} port contexts, complete={Complete}")]
    public static partial void LabelsLoaded(ILogger logger, string origin, int count, bool complete);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "semanage port -l failed ({Reason}); using local customisations only, retrying in {Retry}")]
    public static partial void SemanageFailed(ILogger logger, string reason, TimeSpan retry);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "SELinux local port customisations unusable: {Error}")]
    public static partial void PortsLocalUnusable(ILogger logger, string error);

    [LoggerMessage(EventId = 605, Level = LogLevel.Debug, Message = "audit log {Path} is missing: no denial data")]
    public static partial void AuditLogMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "audit log {Path} is not readable: denials unknown")]
    public static partial void AuditLogUnreadable(ILogger logger, string path);

    [LoggerMessage(EventId = 607, Level = LogLevel.Information, Message = "audit log {Path} was rotated={Rotated} truncated={Truncated}; reading the new file from its start")]
    public static partial void AuditLogReset(ILogger logger, string path, bool rotated, bool truncated);

    [LoggerMessage(EventId = 608, Level = LogLevel.Debug, Message = "audit log {Path}: read {Bytes} bytes, {Behind} bytes left for later collections")]
    public static partial void AuditLogBehind(ILogger logger, string path, long bytes, long behind);

    [LoggerMessage(EventId = 609, Level = LogLevel.Debug, Message = "SELinux port table refresh still running after {Wait}; using the previous table")]
    public static partial void LabelRefreshPending(ILogger logger, TimeSpan wait);
}
