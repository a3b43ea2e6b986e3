using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Probes;

/// <summary>Log lines of the probes, with fixed event ids.</summary>
internal static partial class ProbeLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "remote vantage {Vantage} did not answer: {Problem}")]
    public static partial void VantageDown(ILogger logger, string vantage, string problem);

    [LoggerMessage(EventId = 501, Level = LogLevel.Debug, Message = "remote vantage {Vantage} still does not answer: {Problem}")]
    public static partial void VantageStillDown(ILogger logger, string vantage, string problem);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "remote vantage {Vantage} answers again")]
    public static partial void VantageRecovered(ILogger logger, string vantage);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning,
        Message = "{Skipped} probes could not start before the deadline of their round; raise probes.concurrency or lower probes.timeout")]
    public static partial void ProbesSkipped(ILogger logger, int skipped);

    [LoggerMessage(EventId = 504, Level = LogLevel.Error, Message = "probe round failed, keeping the previous results until they are stale: {Error}")]
    public static partial void RoundFailed(ILogger logger, string error);
}
