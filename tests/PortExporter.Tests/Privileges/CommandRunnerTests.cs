using System.Diagnostics;
using System.Reflection;
using PortExporter.Core.Commands;
using PortExporter.Tests.Deploy;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Privileges;

/// <summary>
/// The exporter runs its tools with its privileges (root, or capabilities), so where a tool comes from and what it
/// inherits matter: programs are looked up only in absolute folders (--path.commands, never PATH), and a child gets
/// LC_ALL=C and that search path, nothing of the exporter's environment.
/// </summary>
public sealed class CommandRunnerTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void A_program_in_the_working_directory_never_runs_whatever_PATH_says()
    {
        var marker = Path.Combine(_dir.Path, "ran");
        Stub("nft", $"/usr/bin/touch '{marker}'\nexit 1");
        Stub("iptables-legacy-save", $"/usr/bin/touch '{marker}'\nexit 1");

        var (exit, stderr) = Diagnose(workingDirectory: _dir.Path, path: ".::/usr/sbin:/usr/bin:/sbin:/bin");

        Assert.True(exit is 0 or 1, $"diagnose exited {exit}: {stderr}");
        Assert.False(File.Exists(marker), "a program from the working directory ran");
    }

    [Theory]
    [InlineData(".:/usr/sbin")]
    [InlineData("/usr/sbin::/usr/bin")]
    [InlineData("sbin")]
    public void A_search_path_with_an_empty_or_relative_folder_is_refused_at_start(string searchPath)
    {
        var (exit, stderr) = Diagnose(workingDirectory: _dir.Path, path: null, "--path.commands", searchPath);

        Assert.Equal(2, exit);
        Assert.Contains("--path.commands: expected absolute folders", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_child_gets_only_LC_ALL_and_the_search_path_as_its_environment()
    {
        var seen = Path.Combine(_dir.Path, "environ");
        var tools = Directory.CreateDirectory(Path.Combine(_dir.Path, "tools")).FullName;
        Stub(Path.Combine("tools", "nft"), $"/usr/bin/tr '\\0' '\\n' < /proc/$$/environ > '{seen}'\nexit 1");

        var (exit, stderr) = Diagnose(workingDirectory: _dir.Path, path: null, "--path.commands", tools);

        Assert.True(exit is 0 or 1, $"diagnose exited {exit}: {stderr}");
        Assert.Equal(["LC_ALL=C", $"PATH={tools}"], File.ReadAllLines(seen).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_allowlisted_command_is_run_somewhere()
    {
        var sources = Directory.EnumerateFiles(RepositoryFiles.PathOf("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Commands{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        var commands = typeof(AllowedCommand).GetMembers(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m is PropertyInfo { PropertyType: var t } && t == typeof(AllowedCommand) || m is MethodInfo { IsSpecialName: false, ReturnType: var r } && r == typeof(AllowedCommand))
            .Select(m => m.Name)
            .ToList();
        Assert.NotEmpty(commands);
        foreach (var name in commands)
        {
            Assert.True(sources.Any(s => s.Contains("AllowedCommand." + name, StringComparison.Ordinal)), $"AllowedCommand.{name} is never run");
        }

        var programs = commands.Where(n => n != nameof(AllowedCommand.SystemctlShow))
            .Select(n => ((AllowedCommand)typeof(AllowedCommand).GetProperty(n)!.GetValue(null)!).Program)
            .Append(AllowedCommand.SystemctlShow("ssh.service").Program)
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(programs, AllowedCommand.Programs.Order(StringComparer.Ordinal));
    }

    public void Dispose() => _dir.Dispose();

    private void Stub(string relative, string body)
    {
        var file = _dir.File(relative, $"#!/bin/bash\n{body}\n");
        UnixModes.Set(file, "755");
    }

    /// <summary>Runs <c>port-exporter diagnose</c> once in <paramref name="workingDirectory"/> with a secret in its environment.</summary>
    private (int Exit, string Stderr) Diagnose(string workingDirectory, string? path, params string[] extra)
    {
        var config = _dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");
        var command = ExporterBinary.Command(["diagnose", "--config.file", config, .. extra]);
        var info = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in command[1..])
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PORT_EXPORTER_TEST_SECRET"] = "must-not-reach-children";
        if (path is not null)
        {
            info.Environment["PATH"] = path;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "diagnose did not finish within 60 s");
        _ = stdout.GetAwaiter().GetResult();
        return (process.ExitCode, stderr.GetAwaiter().GetResult());
    }
}
