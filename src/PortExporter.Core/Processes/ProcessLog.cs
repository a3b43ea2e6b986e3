using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Processes;

/// <summary>Log lines of the process collector, with fixed event ids (220-229).</summary>
internal static partial class ProcessLog
{
    [LoggerMessage(EventId = 220, Level = LogLevel.Debug, Message = "systemd not available, unit states unknown: {Problem}")]
    public static partial void SystemdUnavailable(ILogger logger, string problem);

    [LoggerMessage(EventId = 221, Level = LogLevel.Debug,
        Message = "owners: {Found} of {Wanted} socket inodes, {Scanned} processes scanned, {Unreadable} processes' fds not readable")]
    public static partial void OwnersResolved(ILogger logger, int found, int wanted, int scanned, int unreadable);
}
