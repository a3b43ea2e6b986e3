using System.Collections.Concurrent;
using PortExporter.Core.Commands;

namespace PortExporter.Tests.Support;

/// <summary>
/// An <see cref="ICommandRunner"/> for tests: answers from a table by command line (<see cref="Answer"/>,
/// <see cref="Hang"/>), or from a function; a command it has no answer for is "not installed". Records every
/// command line it was asked, and can hold every answer until the test releases it. Thread-safe.
/// </summary>
public sealed class FakeCommandRunner : ICommandRunner
{
    private readonly ConcurrentDictionary<string, CommandResult> _answers = new(StringComparer.Ordinal);
    private readonly Func<AllowedCommand, CommandResult>? _answer;
    private readonly ConcurrentQueue<string> _calls = new();
    private Task _release = Task.CompletedTask;

    /// <summary>Answers from the table (empty: nothing is installed).</summary>
    public FakeCommandRunner()
    {
    }

    /// <summary>Answers every command with <paramref name="answer"/> (which may throw, for "must not run").</summary>
    public FakeCommandRunner(Func<AllowedCommand, CommandResult> answer) => _answer = answer;

    /// <summary>Every command line asked, in order.</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>What a command that exited 0 after printing <paramref name="stdout"/> returns.</summary>
    public static CommandResult Succeeded(string stdout) => new(true, 0, stdout, string.Empty, false, false);

    public FakeCommandRunner Answer(AllowedCommand command, string stdout, int exitCode = 0, string stderr = "")
    {
        _answers[command.ToString()] = new CommandResult(true, exitCode, stdout, stderr, false, false);
        return this;
    }

    /// <summary><paramref name="command"/> runs into the runner's timeout and is killed.</summary>
    public FakeCommandRunner Hang(AllowedCommand command)
    {
        _answers[command.ToString()] = new CommandResult(true, -1, string.Empty, string.Empty, true, false);
        return this;
    }

    public FakeCommandRunner Absent(AllowedCommand command)
    {
        _answers.TryRemove(command.ToString(), out _);
        return this;
    }

    /// <summary>Every answer waits until <paramref name="release"/> completes (or the caller cancels): a slow command, as slow as the test says.</summary>
    public FakeCommandRunner HoldUntil(Task release)
    {
        _release = release;
        return this;
    }

    public async Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _calls.Enqueue(command.ToString());
        await _release.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _answer is { } answer ? answer(command)
            : _answers.TryGetValue(command.ToString(), out var result) ? result
            : CommandResult.NotFound;
    }
}
