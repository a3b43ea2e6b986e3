using System.Diagnostics;
using PortExporter.Tests.Processes;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.EndToEnd;

/// <summary>
/// node_exporter-style golden test: the exporter binary on fixture roots, its /metrics compared with a
/// checked-in file (non-deterministic series filtered out), and the whole output linted by promtool.
/// </summary>
public sealed class GoldenMetricsTests
{
    private static readonly string[] Volatile =
    [
        "process_", "dotnet_", "port_exporter_collector_duration_seconds", "port_exporter_build_info",
        "port_exporter_config_last_reload_success_timestamp_seconds", "port_firewall_snapshot_age_seconds",
        "port_exporter_collections_total",
    ];

    /// <summary>Series kept with their labels but whose values are times of this run: the value is replaced by a marker.</summary>
    private static readonly string[] RunTimes = ["port_diagnosis_since_timestamp_seconds"];

    [Fact]
    public async Task Metrics_for_the_fixture_host_match_the_golden_file()
    {
        var fixtures = AppContext.BaseDirectory;
        using var procfs = new ProcTree("mixed");
        CopyTree(Path.Combine(fixtures, "Sockets", "fixtures", "mixed"), procfs.Root);
        CopyTree(Path.Combine(fixtures, "Firewall", "fixtures", "host-network", "net"), Path.Combine(procfs.Root, "net"));
        using var stubs = new TempDir();
        var nft = stubs.File("nft", $"#!/bin/sh\nexec /bin/cat '{Path.Combine(fixtures, "Firewall", "fixtures", "nft-inet-and-ip-priorities", "nft.json")}'\n");
        Shell.Run("chmod", "755", nft);
        var selinux = Path.Combine(fixtures, "Selinux", "fixtures", "enforcing");
        var config = Path.Combine(fixtures, "EndToEnd", "fixtures", "golden", "config.yml");
        var port = FreePort.Next();

        var command = ExporterBinary.Command(
            "--config.file", config, "--web.listen-address", $"127.0.0.1:{port}",
            "--path.procfs", procfs.Root, "--path.sysfs", Path.Combine(selinux, "sys"), "--path.rootfs", Path.Combine(selinux, "root"), "--path.commands", stubs.Path);
        var info = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in command[1..])
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PATH"] = stubs.Path;
        using var exporter = Process.Start(info)!;
        exporter.BeginOutputReadLine();
        exporter.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await WaitHealthy(http, exporter);
            var full = await http.GetStringAsync("/metrics");

            var lint = LintWithPromtool(full);
            Assert.True(lint.ExitCode == 0, $"promtool check metrics: {lint.Stdout}{lint.Stderr}");

            var stable = string.Join('\n', full.Split('\n')
                .Where(l => l.Length > 0 && !Volatile.Any(v => l.StartsWith(v, StringComparison.Ordinal) || l.StartsWith("# HELP " + v, StringComparison.Ordinal) || l.StartsWith("# TYPE " + v, StringComparison.Ordinal)))
                .Select(l => RunTimes.Any(t => l.StartsWith(t + "{", StringComparison.Ordinal)) ? l[..(l.LastIndexOf(' ') + 1)] + "<run time>" : l)) + "\n";
            var golden = Path.Combine(SourceDir(), "fixtures", "golden", "metrics.txt");
            if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
            {
                File.WriteAllText(golden, stable);
            }

            Assert.Equal(File.ReadAllText(golden), stable);
        }
        finally
        {
            exporter.Kill(entireProcessTree: true);
            exporter.WaitForExit();
        }
    }

    private static Shell.Result LintWithPromtool(string exposition)
    {
        using var dir = new TempDir();
        var file = dir.File("metrics.txt", exposition);
        return Shell.RunAllowFailure("sh", "-c", $"promtool check metrics < '{file}'");
    }

    private static async Task WaitHealthy(HttpClient http, Process exporter)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.False(exporter.HasExited, "the exporter exited");
            try
            {
                using var response = await http.GetAsync("/-/healthy");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the exporter did not become healthy");
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
