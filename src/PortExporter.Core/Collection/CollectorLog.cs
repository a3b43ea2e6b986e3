using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Collection;

/// <summary>Log lines of the collection runner, with fixed event ids.</summary>
internal static partial class CollectorLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "collector {Collector} failed: {Error}")]
    public static partial void CollectorFailed(ILogger logger, string collector, string error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "collector {Collector} failed again: {Error}")]
    public static partial void CollectorStillFailing(ILogger logger, string collector, string error);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "collector {Collector} recovered")]
    public static partial void CollectorRecovered(ILogger logger, string collector);
}
