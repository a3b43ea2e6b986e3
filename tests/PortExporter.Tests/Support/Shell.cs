using System.Diagnostics;

namespace PortExporter.Tests.Support;

/// <summary>Runs a real program for a test (no shell), failing the test with its output when it fails.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string program, params string[] args)
    {
        var result = RunAllowFailure(program, args);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr.Trim()}");
    }

    public static Result RunAllowFailure(string program, params string[] args) => RunWithTimeout(TimeSpan.FromSeconds(60), program, args);

    public static Result RunWithTimeout(TimeSpan timeout, string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {timeout}");
        }

        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Fails (never skips) a test that needs root: CI runs as root, and a skip would hide a missing feature.</summary>
    public static void RequireRoot()
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && geteuid() != 0)
        {
            throw new InvalidOperationException("this test builds network namespaces and must run as root (the test command does)");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();
}
