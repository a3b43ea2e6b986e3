using System.Diagnostics;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.EndToEnd;

/// <summary>A PortExporter process running inside a test namespace, scraped with curl from inside it.</summary>
public sealed class ExporterInNamespace
{
    private readonly Netns _ns;

    public ExporterInNamespace(Netns ns, string configFile, params string[] extraArgs)
    {
        _ns = ns;
        Process = ns.Start(ExporterBinary.Command(["--config.file", configFile, "--web.listen-address", $"127.0.0.1:{Port}", "--log.level", "debug", .. extraArgs]));
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (ns.ExecAllowFailure("curl", "-fsS", "-m", "2", $"http://127.0.0.1:{Port}/-/healthy").ExitCode == 0)
            {
                return;
            }

            if (Process.HasExited)
            {
                throw new InvalidOperationException($"the exporter exited with {Process.ExitCode}");
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException("the exporter did not answer /-/healthy within 30 s");
    }

    public int Port => 10070;

    public Process Process { get; }

    public string Get(string path, params string[] curlArgs) =>
        _ns.Exec(["curl", "-fsS", "-m", "20", .. curlArgs, $"http://127.0.0.1:{Port}{path}"]).Stdout;

    public string Scrape() => Get("/metrics");

    /// <summary>
    /// Scrapes until the probe schedule has ended its first round (<c>port_probe_last_run_timestamp_seconds</c>);
    /// returns that scrape. Probes run on their own schedule, so the first scrapes after start may have no results yet.
    /// </summary>
    public string ScrapeAfterProbeRound()
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var m = Scrape();
            if (MetricsText.Series(m, "port_probe_last_run_timestamp_seconds").Count > 0)
            {
                return m;
            }

            if (sw.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException("no probe round ended within 120 s");
            }

            Thread.Sleep(200);
        }
    }
}
