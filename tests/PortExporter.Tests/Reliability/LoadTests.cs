using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// 50 scrapers at once, back to back, for a minute (60 s) over loopback: every answer is whole and in time, concurrent scrapes
/// share collections (<c>port_exporter_collections_total</c> far below the scrape count), and the exporter's memory
/// at the end is what it was 10 s in.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Scrapers = 50;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Warm = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Fifty_concurrent_scrapers_share_collections_and_memory_stays_flat()
    {
        using var ns = new Netns("rload");
        using var dir = new TempDir();
        using var thread = new NetnsThread(ns);
        using var listener = thread.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Any, 8080));
        listener.Listen(512);
        using var stop = new CancellationTokenSource();
        var accepting = AcceptAndCloseAsync(listener, stop.Token);

        var config = dir.File("config.yml", """
            ports:
              - name: web
                port: 8080
              - name: admin
                port: 8081
                process: sshd
            """);
        using var exporter = new RunningExporter(ns, ["--config.file", config]);
        var initial = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        var collectionsBefore = Value(initial, "port_exporter_collections_total") ?? 0;

        var errors = new ConcurrentQueue<string>();
        var scrapes = 0;
        var slowest = TimeSpan.Zero;
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Scrapers).Select(_ => Task.Run(async () =>
        {
            while (sw.Elapsed < Duration)
            {
                try
                {
                    var answer = await exporter.GetAsync("/metrics", DeadlineScrapes.Deadline.TotalSeconds);
                    if (answer.Status != 200)
                    {
                        errors.Enqueue($"status {answer.Status} after {answer.Elapsed.TotalSeconds:0.00} s");
                    }

                    Exposition.AssertComplete(answer.Body);
                    if (Value(answer.Body, "port_listening", ("service", "web")) != 1)
                    {
                        errors.Enqueue("port_listening{service=\"web\"} is not 1");
                    }

                    lock (errors)
                    {
                        slowest = answer.Elapsed > slowest ? answer.Elapsed : slowest;
                    }

                    Interlocked.Increment(ref scrapes);
                }
                catch (Exception e)
                {
                    errors.Enqueue($"{e.GetType().Name}: {e.Message}");
                }
            }
        })).ToList();

        long? rssWarm = null;
        var rssSamples = new List<long>();
        while (!Task.WhenAll(workers).IsCompleted)
        {
            await Task.Delay(1000);
            rssSamples.Add(exporter.RssKb() / 1024);
            if (rssWarm is null && sw.Elapsed >= Warm)
            {
                rssWarm = exporter.RssKb();
            }
        }

        await Task.WhenAll(workers);
        var rssEnd = exporter.RssKb();
        var final = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        var collections = (Value(final, "port_exporter_collections_total") ?? 0) - collectionsBefore;
        await stop.CancelAsync();
        listener.Close();
        await accepting;

        output.WriteLine($"{scrapes} scrapes by {Scrapers} scrapers in {sw.Elapsed.TotalSeconds:0.0} s ({scrapes / sw.Elapsed.TotalSeconds:0} per second), slowest {slowest.TotalSeconds:0.000} s");
        output.WriteLine($"{collections} collections ({scrapes / Math.Max(1, collections):0.0} scrapes per collection)");
        output.WriteLine($"RSS MiB each second: {string.Join(' ', rssSamples)}; at {Warm.TotalSeconds} s {rssWarm / 1024} MiB, at the end {rssEnd / 1024} MiB");
        Assert.True(errors.IsEmpty, $"{errors.Count} bad answers, e.g. {string.Join("; ", errors.Take(5))}");
        Assert.True(scrapes > 1000, $"only {scrapes} scrapes");
        Assert.True(collections > 0 && collections * 10 < scrapes, $"{collections} collections for {scrapes} scrapes");
        var growth = rssEnd - rssWarm!.Value;
        Assert.True(growth < Math.Max(24 * 1024, rssWarm.Value / 5), $"RSS grew from {rssWarm / 1024} MiB at {Warm.TotalSeconds} s to {rssEnd / 1024} MiB at the end");
    }

    private static async Task AcceptAndCloseAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var connection = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}
