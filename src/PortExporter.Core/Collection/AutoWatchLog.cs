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

    [LoggerMessage(Level = LogLevel.Warning, Message = "auto-watch: evicted {Service}: more than auto_watch.max_ports={MaxPorts} listener ports (a flood of listeners?); configured ports are never evicted")]
    public static partial void Evicted(ILogger logger, string service, int maxPorts);
}
