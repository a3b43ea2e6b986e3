using PortExporter.Core;

namespace PortExporter.Hosting;

/// <summary>Everything the command line decides, parsed and validated.</summary>
/// <param name="ConfigFile">--config.file, or null: watch every listener.</param>
/// <param name="Paths">--path.procfs / --path.sysfs / --path.rootfs.</param>
/// <param name="LogLevel">--log.level.</param>
/// <param name="LogFormat">--log.format (logfmt | json).</param>
/// <param name="ListenAddress">--web.listen-address.</param>
/// <param name="TelemetryPath">--web.telemetry-path.</param>
/// <param name="WebConfigFile">--web.config.file, or null.</param>
public sealed record ExporterSettings(
    string? ConfigFile,
    HostPaths Paths,
    Microsoft.Extensions.Logging.LogLevel LogLevel,
    LogFormat LogFormat,
    ListenAddress ListenAddress,
    string TelemetryPath,
    string? WebConfigFile)
{
    /// <summary>--path.commands: where the external tools are looked up.</summary>
    public Core.Commands.CommandSearchPath Commands { get; init; } = Core.Commands.CommandSearchPath.Default;
}
