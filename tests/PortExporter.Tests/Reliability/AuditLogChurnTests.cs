using System.Diagnostics;
using System.Globalization;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// The audit log is appended to, rotated (renamed to <c>audit.log.1</c> and started afresh, as auditd does) and
/// truncated in place while the exporter is scraped, with an over-long junk line now and then. SELinux is the
/// enforcing fixture's (<c>--path.sysfs</c>, <c>--path.rootfs</c> on copies). Every scrape answers in time with the
/// SELinux collector succeeding, the denial counter never goes back, memory stays flat, and once the churn stops,
/// new denials are counted exactly.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class AuditLogChurnTests(ITestOutputHelper output)
{
    private static readonly (string, string)[] WebBind = [("service", "web"), ("permission", "name_bind")];
    private int _serial = 1000;

    [Fact]
    public async Task A_rotated_and_truncated_audit_log_keeps_the_collector_working()
    {
        using var ns = new Netns("raud");
        using var dir = new TempDir();
        var fixture = Path.Combine(AppContext.BaseDirectory, "Selinux", "fixtures", "enforcing");
        Copy(Path.Combine(fixture, "sys"), Path.Combine(dir.Path, "sys"));
        Copy(Path.Combine(fixture, "root"), Path.Combine(dir.Path, "root"));
        var log = Path.Combine(dir.Path, "root", "var", "log", "audit", "audit.log");
        var config = dir.File("config.yml", """
            web:
              min_collection_interval: 1ms  # every scrape collects afresh: the test changes the host between scrapes
            ports:
              - name: web
                port: 8082
            """);
        using var exporter = new RunningExporter(
            ns, ["--config.file", config, "--path.sysfs", Path.Combine(dir.Path, "sys"), "--path.rootfs", Path.Combine(dir.Path, "root")]);
        var first = (await DeadlineScrapes.ScrapeAsync(exporter, 1, output))[0];
        Assert.Equal(1, Value(first, "port_host_selinux_enabled"));
        var before = exporter.RssKb();

        using var stop = new CancellationTokenSource();
        var resets = 0;
        var writer = Task.Run(() =>
        {
            var random = new Random(7);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                Append(log, random.Next(1, 20));
                if (i % 50 == 17)
                {
                    File.AppendAllText(log, new string('x', 200_000) + "\n");
                }

                if (i % 20 == 19)
                {
                    if (random.Next(2) == 0)
                    {
                        File.Move(log, log + ".1", overwrite: true);
                        File.WriteAllText(log, string.Empty);
                    }
                    else
                    {
                        using var truncate = new FileStream(log, FileMode.Truncate, FileAccess.Write);
                    }

                    resets++;
                }

                Thread.Sleep(2);
            }
        });

        var scrapes = 0;
        var last = Value(first, "port_selinux_denials_total", WebBind) ?? 0;
        var sw = Stopwatch.StartNew();
        try
        {
            while (sw.Elapsed < TimeSpan.FromSeconds(4))
            {
                var body = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
                scrapes++;
                Exposition.AssertOthersSucceeded(body);
                Assert.Equal(1, Value(body, "port_selinux_audit_log_readable"));
                var denials = Value(body, "port_selinux_denials_total", WebBind) ?? 0;
                Assert.True(denials >= last, $"the denial counter went back from {last} to {denials}");
                last = denials;
                await Task.Delay(50);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        output.WriteLine($"{scrapes} scrapes, {resets} rotations or truncations, {last} denials counted; RSS {before / 1024} -> {exporter.RssKb() / 1024} MiB");
        Assert.True(resets >= 5, $"only {resets} rotations or truncations");
        Assert.True(last > 0);

        await DeadlineScrapes.ScrapeAsync(exporter, 1);
        var settled = Value((await DeadlineScrapes.ScrapeAsync(exporter, 1))[0], "port_selinux_denials_total", WebBind) ?? 0;
        Append(log, 7);
        var after = Value((await DeadlineScrapes.ScrapeAsync(exporter, 1))[0], "port_selinux_denials_total", WebBind);
        Assert.Equal(settled + 7, after);
        Assert.True(exporter.RssKb() - before < 64 * 1024, "RSS grew by more than 64 MiB");
    }

    /// <summary>Appends <paramref name="count"/> enforced name_bind denials on 8082/tcp, each with its SYSCALL record.</summary>
    private void Append(string log, int count)
    {
        using var writer = new StreamWriter(log, append: true);
        for (var i = 0; i < count; i++)
        {
            var serial = Interlocked.Increment(ref _serial).ToString(CultureInfo.InvariantCulture);
            writer.Write(
                $"type=AVC msg=audit(1795639000.123:{serial}): avc:  denied  {{ name_bind }} for  pid=30200 comm=\"nginx\" src=8082 "
                + "scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:unreserved_port_t:s0 tclass=tcp_socket permissive=0\n"
                + $"type=SYSCALL msg=audit(1795639000.123:{serial}): arch=c000003e syscall=49 success=no exit=-13 pid=30200 comm=\"nginx\" exe=\"/usr/sbin/nginx\"\n");
        }
    }

    private static void Copy(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
