using PortExporter.Core.Commands;

namespace PortExporter.Tests.Selinux;

/// <summary>Answers allowlisted commands from the test; counts the calls.</summary>
internal sealed class FakeCommandRunner(Func<AllowedCommand, CommandResult> answer, TimeSpan delay = default) : ICommandRunner
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public static FakeCommandRunner Semanage(string stdout) =>
        new(c => c == AllowedCommand.SemanagePortList ? new CommandResult(true, 0, stdout, string.Empty, false, false) : CommandResult.NotFound);

    public static FakeCommandRunner Absent() => new(_ => CommandResult.NotFound);

    public async Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        return answer(command);
    }
}
