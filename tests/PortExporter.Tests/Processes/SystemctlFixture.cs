using PortExporter.Core.Commands;

namespace PortExporter.Tests.Processes;

/// <summary>What systemctl printed on this machine, whose PID 1 is not systemd (fixtures/systemctl/not-booted.*).</summary>
internal static class SystemctlFixture
{
    public static CommandResult NotBooted { get; } = new(
        true,
        int.Parse(File.ReadAllText(Path("not-booted.exitcode")), System.Globalization.CultureInfo.InvariantCulture),
        File.ReadAllText(Path("not-booted.stdout")),
        File.ReadAllText(Path("not-booted.stderr")).Trim(),
        false,
        false);

    private static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Processes", "fixtures", "systemctl", name);
}
