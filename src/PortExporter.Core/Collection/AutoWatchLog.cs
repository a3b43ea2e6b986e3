using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Collection;

/// <summary>The auto-watch log lines.</summary>
internal static partial class AutoWatchLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "auto-watch: watching {Service} (intent {Expose}, settled {Settled})")]
    public static partial void Watching(ILogger logger, string service, Configuration.PortExpose expose, bool settled);

    [LoggerMessage(Level = LogLevel.Information, Message = "auto-watch: {Service} intent inferred {Expose} from the first firewall verdict from outside ({Verdict})")]
    public static partial void IntentSettled(ILogger logger, string service, Configuration.PortExpose expose, FirewallVerdict verdict);

    [LoggerMessage(Level = LogLevel.Information, Message = "auto-watch: forgot {Service}: no listener for auto_watch.forget_after={ForgetAfter}")]
    public static partial void Forgotten(ILogger logger, string service, TimeSpan forgetAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "auto-watch: evicted {Count} port(s) beyond auto_watch.max_ports={MaxPorts} (a flood of listeners?), the least recently seen and newest first: {Services}; configured ports are never evicted")]
    public static partial void Evicted(ILogger logger, int count, int maxPorts, string services);
}
