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

    [LoggerMessage(EventId = 222, Level = LogLevel.Warning,
        Message = "the open files of {Unreadable} processes could not be read (permission; the exporter needs CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE): the owners of their sockets are unknown")]
    public static partial void ProcessesUnreadable(ILogger logger, int unreadable);

    [LoggerMessage(EventId = 223, Level = LogLevel.Information, Message = "every process's open files can be read again")]
    public static partial void ProcessesReadable(ILogger logger);
}
