using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Firewall;

/// <summary>Log lines of the firewall collector, with fixed event ids.</summary>
internal static partial class FirewallLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "firewall ruleset read: {Rules} rules in {Tables} tables from [{Backends}] in {Milliseconds} ms ({Compiled} compiled, {Reused} as the last read compiled them)")]
    public static partial void RulesetRead(ILogger logger, int rules, int tables, string backends, long milliseconds, int compiled, int reused);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "firewall ruleset refresh failed: {Error}")]
    public static partial void RefreshFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "firewall ruleset refresh works again")]
    public static partial void RefreshRecovered(ILogger logger);

    [LoggerMessage(EventId = 403, Level = LogLevel.Debug, Message = "firewall ruleset refresh allocated {Megabytes} MB: memory returned to the system")]
    public static partial void MemoryReturned(ILogger logger, long megabytes);
}
