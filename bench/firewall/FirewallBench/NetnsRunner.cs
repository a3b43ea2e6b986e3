using System.Diagnostics;
using PortExporter.Core.Commands;

namespace FirewallBench;

/// <summary>Runs the exporter's allowlisted commands inside the benchmark's namespace.</summary>
internal sealed class NetnsRunner(string namespaceName) : ICommandRunner
{
    public async Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
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
        await process.WaitForExitAsync(cts.Token);
        return new CommandResult(true, process.ExitCode, await stdout, (await stderr).Trim(), false, false);
    }
}
