using Microsoft.Extensions.Logging;

namespace PortExporter.Cli;

/// <summary>Log lines of the serve verb.</summary>
internal static partial class ServeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "listening on {Address}, metrics at {Path}, config {Config}")]
    public static partial void Listening(ILogger logger, string address, string path, string config);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "/diagnose served on {Address} only")]
    public static partial void DiagnoseListening(ILogger logger, Hosting.ListenAddress address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "cannot listen on {Address}: {Error}")]
    public static partial void CannotListen(ILogger logger, string address, string error);
}
