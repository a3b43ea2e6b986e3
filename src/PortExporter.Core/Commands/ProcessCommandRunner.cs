using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace PortExporter.Core.Commands;

/// <summary>
/// Runs allowlisted commands as child processes, without a shell, with a deadline (the child is
/// killed with its process tree when it overruns) and an output cap (default 64 MiB, lowered to the command's own
/// <see cref="AllowedCommand.MaxOutputBytes"/>). Output over the cap is not kept: the child is killed and the result
/// is <see cref="CommandResult.Truncated"/> with empty output. Disposing kills the children still running (at
/// shutdown, so a hung tool does not outlive the exporter). Thread-safe.
/// <para>
/// Programs are found once, when the runner is made, in <see cref="CommandSearchPath"/> (never the exporter's PATH) and
/// run by absolute path; a program installed later is found after a restart. A child gets a fixed environment
/// (<c>LC_ALL=C</c> and the search path as PATH, nothing of the exporter's) and, as its ambient capabilities, exactly
/// <see cref="AllowedCommand.ChildCapabilities"/> as far as the exporter holds them: the thread that forks the child
/// sets them on itself right before (capabilities are per thread), so no tool needs file capabilities.
/// </para>
/// </summary>
public sealed class ProcessCommandRunner : ICommandRunner, IDisposable
{
    public const int DefaultOutputCapBytes = 64 * 1024 * 1024;
    private const int StderrCapBytes = 4096;

    private readonly ConcurrentDictionary<Process, byte> _running = new();
    private readonly int _outputCapBytes;
    private readonly CommandSearchPath _searchPath;
    private readonly Dictionary<string, string?> _programs;

    public ProcessCommandRunner(CommandSearchPath? searchPath = null, int outputCapBytes = DefaultOutputCapBytes)
    {
        _outputCapBytes = outputCapBytes;
        _searchPath = searchPath ?? CommandSearchPath.Default;
        _programs = AllowedCommand.Programs.ToDictionary(p => p, _searchPath.Find, StringComparer.Ordinal);
    }

    /// <summary>Where each allowlisted program was found at start (null: not installed, the backend is absent).</summary>
    public IReadOnlyDictionary<string, string?> Programs => _programs;

    public async Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = _programs.GetValueOrDefault(command.Program);
        if (path is null)
        {
            return CommandResult.NotFound;
        }

        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        info.Environment["LC_ALL"] = "C";
        info.Environment["PATH"] = _searchPath.ToString();

        using var process = new Process { StartInfo = info };
        try
        {
            // Process.Start forks on this thread, so the child's ambient set is this thread's, set here and now.
            ThreadCapabilities.PrepareChild(LinuxCapabilities.Mask(command.ChildCapabilities));
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return CommandResult.NotFound;
        }

        _running.TryAdd(process, 0);
        try
        {
            return await WaitAsync(process, command, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(process, out _);
        }
    }

    /// <summary>Kills every child still running.</summary>
    public void Dispose()
    {
        foreach (var process in _running.Keys)
        {
            Kill(process);
        }
    }

    private async Task<CommandResult> WaitAsync(Process process, AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        process.StandardInput.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var stdoutTask = ReadCappedAsync(process.StandardOutput.BaseStream, Math.Min(_outputCapBytes, command.MaxOutputBytes), cts.Token);
        var stderrTask = ReadCappedAsync(process.StandardError.BaseStream, StderrCapBytes, cts.Token);
        _ = stdoutTask.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully && t.Result.Truncated)
                {
                    Kill(process);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            await Task.WhenAll(stdoutTask, stderrTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            Kill(process);
            if (!timedOut)
            {
                throw;
            }
        }

        var (stdout, truncated) = stdoutTask.IsCompletedSuccessfully ? stdoutTask.Result : (ReadOnlySequence<byte>.Empty, false);
        if (truncated)
        {
            Kill(process);
        }

        var stderr = stderrTask.IsCompletedSuccessfully ? Encoding.UTF8.GetString(stderrTask.Result.Bytes) : string.Empty;
        var exit = process.HasExited ? process.ExitCode : -1;
        return CommandResult.FromUtf8(timedOut ? -1 : exit, stdout, stderr.Trim(), timedOut, truncated);
    }

    /// <summary>Where <paramref name="program"/> is in the default <see cref="CommandSearchPath"/>, or null.</summary>
    public static string? FindOnPath(string program) => CommandSearchPath.Default.Find(program);

    /// <summary>
    /// A stream's bytes up to <paramref name="cap"/> (empty and truncated beyond it), as the 64 KB pieces they were
    /// read into: no string, no doubling buffer, no large joined array (a 3.7 MB one would be on the large object heap,
    /// which only a full collection frees), and nothing rented from a shared pool that would keep a large output's
    /// memory after the read.
    /// </summary>
    private static async Task<(ReadOnlySequence<byte> Bytes, bool Truncated)> ReadCappedAsync(Stream stream, int cap, CancellationToken cancellationToken)
    {
        const int PieceBytes = 64 * 1024;
        Piece? first = null;
        var piece = new Piece(new byte[PieceBytes], 0);
        var filled = 0;
        long total = 0;
        while (true)
        {
            if (filled == piece.Bytes.Length)
            {
                var next = new Piece(new byte[PieceBytes], total);
                piece.Link(next, filled);
                first ??= piece;
                piece = next;
                filled = 0;
            }

            var read = await stream.ReadAsync(piece.Bytes.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (total > cap)
            {
                return (ReadOnlySequence<byte>.Empty, true);
            }

            filled += read;
        }

        piece.Fill(filled);
        return first is null
            ? (new ReadOnlySequence<byte>(piece.Bytes, 0, filled), false)
            : (new ReadOnlySequence<byte>(first, 0, piece, filled), false);
    }

    /// <summary>One piece of a command's output in the sequence of its pieces.</summary>
    private sealed class Piece : ReadOnlySequenceSegment<byte>
    {
        public Piece(byte[] bytes, long runningIndex)
        {
            Bytes = bytes;
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public byte[] Bytes { get; }

        /// <summary>Ends this piece after <paramref name="filled"/> bytes and puts <paramref name="next"/> after it.</summary>
        public void Link(Piece next, int filled)
        {
            Fill(filled);
            Next = next;
        }

        /// <summary>Ends this piece after <paramref name="filled"/> bytes.</summary>
        public void Fill(int filled) => Memory = Bytes.AsMemory(0, filled);
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }
}
