using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Sockets;

/// <summary>Log lines of the socket collector, with fixed event ids (210-219).</summary>
internal static partial class SocketLog
{
    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "{Path} does not exist: no data from it (no IPv6 or no such sysctl)")]
    public static partial void OptionalFileAbsent(ILogger logger, string path);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "read {Count} listeners from {Directory}")]
    public static partial void ListenersRead(ILogger logger, int count, string directory);

    [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "netlink sock_diag is not allowed ({Error}): reading the socket tables in /proc/net instead")]
    public static partial void NetlinkRefused(ILogger logger, string error);

    [LoggerMessage(EventId = 213, Level = LogLevel.Debug, Message = "read {Count} listeners over netlink sock_diag")]
    public static partial void ListenersReadNetlink(ILogger logger, int count);
}
