using System.Diagnostics;
using System.Globalization;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// Processes exit while the exporter reads them: <c>--path.procfs</c> points at a tree whose socket tables are captured
/// from a namespace with a real listener, and whose process directories two threads keep deleting and recreating
/// while the exporter is scraped. Every scrape answers in time with every collector succeeding; the owner is the
/// listener's process or unknown, never another process. (A socket whose owner a whole scan missed stays unknown
/// for a minute, by design of the owner search: real processes do not come back with the same socket.)
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ProcfsChurnTests(ITestOutputHelper output)
{
    private const int FirstPid = 1000;
    private const int Processes = 300;
    private const int OwnerPid = 1150;

    [Fact]
    public async Task Process_directories_vanishing_mid_read_are_never_a_failure()
    {
        using var ns = new Netns("rproc");
        using var dir = new TempDir();
        ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hi");
        ns.WaitForListener(8080);
        var procfs = Path.Combine(dir.Path, "proc");
        var inode = CaptureSocketTables(ns, procfs);
        for (var pid = FirstPid; pid < FirstPid + Processes; pid++)
        {
            WriteProcess(procfs, pid, inode);
        }

        // Every scrape collects afresh (no reuse of a young collection): the last one must see the churn's end.
        var config = dir.File("config.yml", """
            ports:
              - name: web
                port: 8080
                process: socat
            web:
              min_collection_interval: 1ms
            """);
        using var exporter = new RunningExporter(ns, ["--config.file", config, "--path.procfs", procfs]);
        var first = (await DeadlineScrapes.ScrapeAsync(exporter, 1, output))[0];
        Assert.Equal(1, Value(first, "port_listener_info", ("service", "web"), ("process", "socat")));

        // The churn starts once every collector has succeeded: on a busy machine the first read of the firewall
        // ruleset may end after the first scrapes' deadlines (logged as an error), which is no part of this test.
        await exporter.ReadUntilAsync(body => Exposition.OthersSucceeded(body), "every collector succeeding");
        var logged = exporter.Log.Count;
        var before = exporter.RssKb();

        using var stop = new CancellationTokenSource();
        var churned = 0;
        var churners = Enumerable.Range(0, 2).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                // The owner most of all, so its cached fd keeps vanishing and the owner is searched again.
                var pid = random.Next(4) == 0 ? OwnerPid : FirstPid + random.Next(Processes);
                var path = Path.Combine(procfs, pid.ToString(CultureInfo.InvariantCulture));
                try
                {
                    Directory.Delete(path, recursive: true);
                }
                catch (IOException)
                {
                }

                WriteProcess(procfs, pid, inode);
                Interlocked.Increment(ref churned);
            }
        })).ToList();

        var scrapes = 0;
        var sw = Stopwatch.StartNew();
        try
        {
            while (sw.Elapsed < TimeSpan.FromSeconds(4))
            {
                foreach (var body in await DeadlineScrapes.ScrapeAsync(exporter, 1))
                {
                    scrapes++;
                    Exposition.AssertOthersSucceeded(body);
                    Assert.Equal(1, Value(body, "port_listening", ("service", "web")));
                    var owner = Assert.Single(Series(body, "port_listener_info"));
                    Assert.True(owner.Contains("process=\"socat\"", StringComparison.Ordinal) || owner.Contains("process=\"\"", StringComparison.Ordinal), owner);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(churners);
        }

        output.WriteLine($"{scrapes} scrapes while {churned} process directories were deleted and recreated; RSS {before / 1024} -> {exporter.RssKb() / 1024} MiB");
        Assert.True(churned > 200, $"only {churned} directories churned");
        var last = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        Assert.Equal(1, Value(last, "port_process_running", ("service", "web")));
        Assert.True(exporter.RssKb() - before < 64 * 1024, "RSS grew by more than 64 MiB");
        Assert.DoesNotContain(exporter.Log.Skip(logged), l => l.Contains("level=error", StringComparison.Ordinal));
    }

    /// <summary>
    /// Copies the namespace's socket tables, routes and socket sysctls (read live from its /proc) under
    /// <paramref name="procfs"/>; returns the inode of the listener on 8080.
    /// </summary>
    private static ulong CaptureSocketTables(Netns ns, string procfs)
    {
        foreach (var file in (string[])["net/tcp", "net/tcp6", "net/udp", "net/udp6", "net/route", "net/ipv6_route", "sys/net/ipv4/ip_local_port_range", "sys/net/ipv6/bindv6only", "stat"])
        {
            var target = Path.Combine(procfs, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, ns.Exec("cat", $"/proc/{file}").Stdout);
        }

        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode: 0.0.0.0:8080 (1F90) listening (0A).
        var line = File.ReadAllLines(Path.Combine(procfs, "net", "tcp")).Single(l => l.Contains(":1F90 00000000:0000 0A", StringComparison.Ordinal));
        return ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[9], CultureInfo.InvariantCulture);
    }

    /// <summary>A process directory: comm, exe, fds (the owner holds the listener's socket as fd 5).</summary>
    private static void WriteProcess(string procfs, int pid, ulong listenerInode)
    {
        var root = Path.Combine(procfs, pid.ToString(CultureInfo.InvariantCulture));
        var fd = Path.Combine(root, "fd");
        try
        {
            Directory.CreateDirectory(fd);
            var owner = pid == OwnerPid;
            File.WriteAllText(Path.Combine(root, "comm"), owner ? "socat\n" : "worker\n");
            File.CreateSymbolicLink(Path.Combine(root, "exe"), owner ? "/usr/bin/socat" : "/usr/bin/true");
            File.CreateSymbolicLink(Path.Combine(fd, "0"), "/dev/null");
            File.CreateSymbolicLink(Path.Combine(fd, "1"), "pipe:[4242]");
            File.CreateSymbolicLink(Path.Combine(fd, "3"), $"socket:[{9_000_000 + pid}]");
            if (owner)
            {
                File.CreateSymbolicLink(Path.Combine(fd, "5"), $"socket:[{listenerInode}]");
            }
        }
        catch (IOException)
        {
            // The other churner got there first.
        }
    }
}
