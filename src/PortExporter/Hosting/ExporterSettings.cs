using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Hosting;

/// <summary>Everything the command line decides, parsed and validated.</summary>
/// <param name="ConfigFile">--config.file, or null: watch every listener.</param>
/// <param name="Paths">--path.procfs / --path.sysfs / --path.rootfs.</param>
/// <param name="LogLevel">--log.level.</param>
/// <param name="LogFormat">--log.format (logfmt | json).</param>
/// <param name="ListenAddress">--web.listen-address.</param>
/// <param name="TelemetryPath">--web.telemetry-path.</param>
/// <param name="WebConfigFile">--web.config.file, or null.</param>
/// <param name="EnableLifecycle">--web.enable-lifecycle: whether POST /-/reload may reload the config.</param>
/// <param name="DiagnoseListenAddress">--web.diagnose-listen-address: where /diagnose is served instead of the main address, or null.</param>
/// <param name="MaxConnections">--web.max-connections: open HTTP connections at most.</param>
public sealed record ExporterSettings(
    string? ConfigFile,
    HostPaths Paths,
    Microsoft.Extensions.Logging.LogLevel LogLevel,
    LogFormat LogFormat,
    ListenAddress ListenAddress,
    string TelemetryPath,
    string? WebConfigFile,
    bool EnableLifecycle = false,
    ListenAddress? DiagnoseListenAddress = null,
    int MaxConnections = ConfigDefaults.MaxConnections)
{
    /// <summary>--collector.NAME / --no-collector.NAME: which collectors run (all by default).</summary>
    public CollectorSwitches Collectors { get; init; } = CollectorSwitches.AllEnabled;

    /// <summary>--baseline.file: the reachable-surface baseline to report drift from, or null.</summary>
    public string? BaselineFile { get; init; }

    /// <summary>--storage.path: the folder of the timeline's state file (timeline.json), or null: the timeline is kept in memory only.</summary>
    public string? StoragePath { get; init; }

    /// <summary>--path.commands: where the external tools are looked up.</summary>
    public Core.Commands.CommandSearchPath Commands { get; init; } = Core.Commands.CommandSearchPath.Default;
}
