using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Sockets;

/// <summary>Log lines of the socket collector, with fixed event ids (210-219).</summary>
internal static partial class SocketLog
{
    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "{Path} does not exist: no data from it (no IPv6 or no such sysctl)")]
    public static partial void OptionalFileAbsent(ILogger logger, string path);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "read {Count} listeners from {Directory}")]
    public static partial void ListenersRead(ILogger logger, int count, string directory);
}
