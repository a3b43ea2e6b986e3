namespace PortExporter.Core.Commands;

/// <summary>What one external command did.</summary>
/// <param name="Found">False when the program is not on PATH ("backend absent", not an error).</param>
/// <param name="ExitCode">Exit status; -1 when it did not exit on its own.</param>
/// <param name="Stdout">Standard output, at most the runner's cap; empty when <paramref name="Truncated"/>.</param>
/// <param name="Stderr">Standard error, shortened.</param>
/// <param name="TimedOut">Killed at the deadline.</param>
/// <param name="Truncated">Output exceeded the cap: the command was killed and its output dropped.</param>
public sealed record CommandResult(bool Found, int ExitCode, string Stdout, string Stderr, bool TimedOut, bool Truncated)
{
    public static CommandResult NotFound { get; } = new(false, -1, string.Empty, string.Empty, false, false);

    public bool Succeeded => Found && !TimedOut && !Truncated && ExitCode == 0;
}
