using Xunit.Abstractions;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// Scrapes as Prometheus does (timeout header 5 s, a client that gives up after 5 s), after one warm-up scrape
/// (<see cref="RunningExporter.WarmUpAsync"/>), and checks each answer came whole.
/// </summary>
public static class DeadlineScrapes
{
    /// <summary>The scrape timeout sent, and when the client gives up (<see cref="RunningExporter.GetAsync"/>).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    public static async Task<List<string>> ScrapeAsync(RunningExporter exporter, int times, ITestOutputHelper? output = null)
    {
        await exporter.WarmUpAsync(Deadline.TotalSeconds);
        var bodies = new List<string>();
        for (var i = 0; i < times; i++)
        {
            var answer = await exporter.GetAsync("/metrics", Deadline.TotalSeconds);
            Assert.Equal(200, answer.Status);
            output?.WriteLine($"scrape {i + 1}: {answer.Elapsed.TotalSeconds:0.000} s, RSS {exporter.RssKb() / 1024} MiB");
            Exposition.AssertComplete(answer.Body);
            bodies.Add(answer.Body);
        }

        Assert.False(exporter.HasExited, "the exporter exited");
        return bodies;
    }

    /// <summary>Stops the exporter with SIGTERM and checks it exits 0 within a few seconds.</summary>
    public static void Stop(RunningExporter exporter)
    {
        exporter.Signal(15);
        Assert.True(exporter.WaitForExit(TimeSpan.FromSeconds(10)), "the exporter did not exit within 10 s of SIGTERM");
        Assert.Equal(0, exporter.ExitCode);
    }
}
