using PortExporter.Core.Commands;

namespace PortExporter.Tests.Processes;

/// <summary>An <see cref="ICommandRunner"/> that answers from a function and records what it was asked.</summary>
internal sealed class FakeCommandRunner(Func<AllowedCommand, CommandResult> answer) : ICommandRunner
{
    public List<string> Calls { get; } = [];

    /// <summary>What systemctl printed on this machine, whose PID 1 is not systemd (fixtures/systemctl/not-booted.*).</summary>
    public static CommandResult NotBooted { get; } = new(
        true,
        int.Parse(File.ReadAllText(SystemctlFixture("not-booted.exitcode")), System.Globalization.CultureInfo.InvariantCulture),
        File.ReadAllText(SystemctlFixture("not-booted.stdout")),
        File.ReadAllText(SystemctlFixture("not-booted.stderr")).Trim(),
        false,
        false);

    public static CommandResult Answer(string stdout) => new(true, 0, stdout, string.Empty, false, false);

    public Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls.Add(command.ToString());
        return Task.FromResult(answer(command));
    }

    private static string SystemctlFixture(string name) => Path.Combine(AppContext.BaseDirectory, "Processes", "fixtures", "systemctl", name);
}
