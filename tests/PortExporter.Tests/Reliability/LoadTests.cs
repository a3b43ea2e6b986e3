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
/// in the last 10 s is what it was 10-20 s in. Memory is compared by each window's lowest sample: resident size swings
/// by 30 MiB between collections under this load, so two single samples can differ by that much without a leak,
/// while a leak raises the floor the collections return to.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Scrapers = 50;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Warm = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

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

        var rssSamples = new List<(TimeSpan At, long Kb)>();
        while (!Task.WhenAll(workers).IsCompleted)
        {
            await Task.Delay(1000);
            rssSamples.Add((sw.Elapsed, exporter.RssKb()));
        }

        await Task.WhenAll(workers);
        var end = sw.Elapsed;
        var final = (await DeadlineScrapes.ScrapeAsync(exporter, 1))[0];
        var collections = (Value(final, "port_exporter_collections_total") ?? 0) - collectionsBefore;
        await stop.CancelAsync();
        listener.Close();
        await accepting;

        output.WriteLine($"{scrapes} scrapes by {Scrapers} scrapers in {sw.Elapsed.TotalSeconds:0.0} s ({scrapes / sw.Elapsed.TotalSeconds:0} per second), slowest {slowest.TotalSeconds:0.000} s");
        output.WriteLine($"{collections} collections ({scrapes / Math.Max(1, collections):0.0} scrapes per collection)");
        var warm = rssSamples.Where(s => s.At >= Warm && s.At < Warm + Window).Select(s => s.Kb).ToList();
        var last = rssSamples.Where(s => s.At >= end - Window).Select(s => s.Kb).ToList();
        output.WriteLine($"RSS MiB each second: {string.Join(' ', rssSamples.Select(s => s.Kb / 1024))}");
        Assert.True(errors.IsEmpty, $"{errors.Count} bad answers, e.g. {string.Join("; ", errors.Take(5))}");
        Assert.True(scrapes > 1000, $"only {scrapes} scrapes");
        Assert.True(collections > 0 && collections * 10 < scrapes, $"{collections} collections for {scrapes} scrapes");
        Assert.True(warm.Count > 0 && last.Count > 0, $"RSS samples: {warm.Count} from {Warm.TotalSeconds} s, {last.Count} in the last {Window.TotalSeconds} s");
        var (warmFloor, lastFloor) = (warm.Min(), last.Min());
        Assert.True(lastFloor - warmFloor < Math.Max(24 * 1024, warmFloor / 5),
            $"RSS floor grew from {warmFloor / 1024} MiB ({Warm.TotalSeconds}-{(Warm + Window).TotalSeconds} s) to {lastFloor / 1024} MiB (last {Window.TotalSeconds} s)");
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
