using System.Buffers;
using System.Text;

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
    private readonly ReadOnlySequence<byte>? _stdoutUtf8;
    private string? _stdout = Stdout;

    public static CommandResult NotFound { get; } = new(false, -1, string.Empty, string.Empty, false, false);

    public bool Succeeded => Found && !TimedOut && !Truncated && ExitCode == 0;

    /// <summary>Standard output as text (decoded on first use when the runner kept it as UTF-8).</summary>
    public string Stdout
    {
        get => _stdout ??= Encoding.UTF8.GetString(_stdoutUtf8.GetValueOrDefault());
        init => _stdout = value;
    }

    /// <summary>
    /// Standard output as the command wrote it, in the pieces it was read in. A parser that reads UTF-8 takes this
    /// and neither the text nor one joined array is made: at 10k rules, <c>nft -j</c> prints 3.7 MB, which is
    /// 7.5 MB as a string, and one array of it would be a large object only a full collection frees.
    /// </summary>
    public ReadOnlySequence<byte> StdoutUtf8 => _stdoutUtf8 ?? new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Stdout));

    /// <summary>A result whose standard output stays UTF-8 until someone asks for the text.</summary>
    public static CommandResult FromUtf8(int exitCode, ReadOnlySequence<byte> stdout, string stderr, bool timedOut, bool truncated) =>
        new(exitCode, stdout, stderr, timedOut, truncated);

    private CommandResult(int exitCode, ReadOnlySequence<byte> stdout, string stderr, bool timedOut, bool truncated)
        : this(true, exitCode, null!, stderr, timedOut, truncated) => _stdoutUtf8 = stdout;
}
