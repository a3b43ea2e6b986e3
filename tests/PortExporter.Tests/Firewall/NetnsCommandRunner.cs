using System.Diagnostics;
using PortExporter.Core.Commands;

namespace PortExporter.Tests.Firewall;

/// <summary>Runs allowlisted commands inside a test's network namespace (<c>ip netns exec NAME ...</c>), with the timeout.</summary>
public sealed class NetnsCommandRunner(string namespaceName) : ICommandRunner
{
    public int Calls { get; private set; }

    public async Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls++;
        if (ProcessCommandRunner.FindOnPath(command.Program) is null)
        {
            return CommandResult.NotFound;
        }

        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["netns", "exec", namespaceName, command.Program, .. command.Arguments])
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return new CommandResult(true, -1, string.Empty, string.Empty, true, false);
        }

        return new CommandResult(true, process.ExitCode, await stdout, (await stderr).Trim(), false, false);
    }
}
