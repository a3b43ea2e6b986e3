using Microsoft.Extensions.Logging;

namespace PortExporter.Core.Backend;

/// <summary>The backend collector's log lines.</summary>
internal static partial class BackendLog
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Debug, Message = "backends: {Targets} DNAT targets, {Processes} processes and {Namespaces} namespaces looked at, {Found} found")]
    public static partial void Searched(ILogger logger, int targets, int processes, int namespaces, int found);

    [LoggerMessage(EventId = 901, Level = LogLevel.Debug, Message = "backends: {What} of namespace {Namespace} could not be read: {Error}")]
    public static partial void NamespaceUnreadable(ILogger logger, string what, string @namespace, string error);
}
