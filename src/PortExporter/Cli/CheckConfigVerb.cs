using PortExporter.Hosting;

namespace PortExporter.Cli;

/// <summary><c>port-exporter check-config</c>: validate the config file and exit.</summary>
public static class CheckConfigVerb
{
    public static int Run(ExporterSettings settings, TextWriter stdout, TextWriter stderr)
    {
        if (settings.ConfigFile is null)
        {
            stderr.WriteLine("--config.file is required for check-config");
            return ExitCodes.Usage;
        }

        var config = CommonOptions.LoadConfig(settings, stderr);
        if (config is null || !Web.Security.WebSecurity.Check(settings.WebConfigFile, stderr))
        {
            return ExitCodes.Usage;
        }

        stdout.WriteLine($"{settings.ConfigFile}: OK ({config.Ports.Count} ports, {config.ProbeTargets.Count} probe targets, {config.Vantages.Count} vantages)");
        return ExitCodes.Ok;
    }
}
