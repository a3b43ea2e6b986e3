using System.CommandLine;
using Microsoft.Extensions.Logging;
using PortExporter.Core;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Hosting;

namespace PortExporter.Cli;

/// <summary>The flags every verb shares, exporter style (<c>--config.file</c>, <c>--path.procfs</c>, ...).</summary>
public sealed class CommonOptions
{
    public Option<string?> ConfigFile { get; } = new("--config.file") { Description = "YAML config file. Without it, every port with a listener is watched.", Recursive = true };

    public Option<string> Procfs { get; } = new("--path.procfs") { Description = "procfs mountpoint.", DefaultValueFactory = _ => "/proc", Recursive = true };

    public Option<string> Sysfs { get; } = new("--path.sysfs") { Description = "sysfs mountpoint.", DefaultValueFactory = _ => "/sys", Recursive = true };

    public Option<string> Rootfs { get; } = new("--path.rootfs") { Description = "root filesystem mountpoint (for /etc and the audit log).", DefaultValueFactory = _ => "/", Recursive = true };

    public Option<string> Commands { get; } = new("--path.commands") { Description = "Absolute folders, ':'-separated, the external tools (nft, iptables-*-save, firewall-cmd, semanage, systemctl) are looked up in once at start; never PATH.", DefaultValueFactory = _ => CommandSearchPath.DefaultText, Recursive = true };

    public Option<string> LogLevel { get; } = CreateChoice("--log.level", "Only log messages with the given severity or above.", "info", "debug", "info", "warn", "error");

    public Option<string> LogFormat { get; } = CreateChoice("--log.format", "Output format of log messages.", "logfmt", "logfmt", "json");

    public Option<string> ListenAddress { get; } = new("--web.listen-address") { Description = "Address on which to expose metrics and the web interface.", DefaultValueFactory = _ => ConfigDefaults.ListenAddress };

    public Option<string> TelemetryPath { get; } = new("--web.telemetry-path") { Description = "Path under which to expose metrics.", DefaultValueFactory = _ => ConfigDefaults.TelemetryPath };

    public Option<string?> WebConfigFile { get; } = new("--web.config.file") { Description = "Path to a web configuration file (TLS and basic auth, exporter-toolkit format)." };

    public Option<string?> StoragePath { get; } = new("--storage.path") { Description = "Folder for the exporter's own state file (timeline.json): the timeline of evidence changes survives a restart. Nothing else is written there." };

    public Option<string?> BaselineFile { get; } = new("--baseline.file") { Description = "Baseline file written by 'baseline': report drift from it (metrics port_baseline_*, /diagnose); reloaded with the config." };

    public CollectorFlags Collectors { get; } = new();
    public Option<bool> EnableLifecycle { get; } = new("--web.enable-lifecycle") { Description = "Enable reloading the config with POST /-/reload (SIGHUP always reloads)." };

    public Option<string?> DiagnoseListenAddress { get; } = new("--web.diagnose-listen-address") { Description = "Serve /diagnose (process names, PIDs, firewall rules) only on this address, e.g. 127.0.0.1:10071, and not on --web.listen-address." };

    public Option<int> MaxConnections { get; } = new("--web.max-connections") { Description = "Maximum number of simultaneous HTTP connections; more are closed as they arrive.", DefaultValueFactory = _ => ConfigDefaults.MaxConnections };

    public void AddTo(Command command)
    {
        Collectors.AddTo(command);
        foreach (var option in new Option[] { ConfigFile, Procfs, Sysfs, Rootfs, Commands, LogLevel, LogFormat })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Reads the parsed flags; returns null and writes why when one is invalid.</summary>
    public ExporterSettings? Read(ParseResult parse, TextWriter error)
    {
        var listenText = parse.GetValue(ListenAddress) ?? ConfigDefaults.ListenAddress;
        if (!Hosting.ListenAddress.TryParse(listenText, out var listen, out var listenError))
        {
            error.WriteLine($"--web.listen-address: {listenError}");
            return null;
        }

        var path = parse.GetValue(TelemetryPath) ?? ConfigDefaults.TelemetryPath;
        if (!path.StartsWith('/') || path == "/" || path.StartsWith("/-/", StringComparison.Ordinal))
        {
            error.WriteLine($"--web.telemetry-path: expected an absolute path other than / and /-/..., got '{path}'");
            return null;
        }

        ListenAddress? diagnose = null;
        if (parse.GetValue(DiagnoseListenAddress) is { } diagnoseText
            && (!Hosting.ListenAddress.TryParse(diagnoseText, out diagnose, out var diagnoseError) || diagnose!.Port == listen!.Port && (diagnose.Address is null || listen.Address is null || diagnose.Address.Equals(listen.Address))))
        {
            error.WriteLine($"--web.diagnose-listen-address: {diagnoseError ?? "must differ from --web.listen-address"}");
            return null;
        }

        var maxConnections = parse.GetValue(MaxConnections);
        if (maxConnections < 1)
        {
            error.WriteLine($"--web.max-connections: expected a positive number, got {maxConnections}");
            return null;
        }

        if (parse.GetValue(StoragePath) is { } storage && (!Path.IsPathFullyQualified(storage) || !Directory.Exists(storage)))
        {
            error.WriteLine($"--storage.path: expected an absolute path of an existing folder, got '{storage}'");
            return null;
        }

        CommandSearchPath commands;
        try
        {
            commands = CommandSearchPath.Parse(parse.GetValue(Commands)!);
        }
        catch (FormatException e)
        {
            error.WriteLine($"--path.commands: {e.Message}");
            return null;
        }

        var paths = new HostPaths(parse.GetValue(Procfs)!, parse.GetValue(Sysfs)!, parse.GetValue(Rootfs)!);
        var level = parse.GetValue(LogLevel) switch
        {
            "debug" => Microsoft.Extensions.Logging.LogLevel.Debug,
            "warn" => Microsoft.Extensions.Logging.LogLevel.Warning,
            "error" => Microsoft.Extensions.Logging.LogLevel.Error,
            _ => Microsoft.Extensions.Logging.LogLevel.Information,
        };
        var format = parse.GetValue(LogFormat) == "json" ? Hosting.LogFormat.Json : Hosting.LogFormat.Logfmt;
        return new ExporterSettings(parse.GetValue(ConfigFile), paths, level, format, listen!, path, parse.GetValue(WebConfigFile))
        {
            Collectors = Collectors.Read(parse),
            EnableLifecycle = parse.GetValue(EnableLifecycle),
            DiagnoseListenAddress = diagnose,
            MaxConnections = maxConnections,
            Commands = commands,
            BaselineFile = parse.GetValue(BaselineFile),
            StoragePath = parse.GetValue(StoragePath),
        };
    }

    /// <summary>Loads the config file named by the flags, or the auto-discovery config; null (with the reason written) when invalid.</summary>
    public static ExporterConfig? LoadConfig(ExporterSettings settings, TextWriter error)
    {
        if (settings.ConfigFile is null)
        {
            return ExporterConfig.AutoDiscover;
        }

        try
        {
            return ConfigLoader.Load(settings.ConfigFile);
        }
        catch (ConfigException e)
        {
            error.WriteLine($"invalid config: {e.Message}");
            return null;
        }
    }

    private static Option<string> CreateChoice(string name, string description, string defaultValue, params string[] values)
    {
        var option = new Option<string>(name) { Description = $"{description} One of: [{string.Join(", ", values)}]", DefaultValueFactory = _ => defaultValue, Recursive = true };
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
