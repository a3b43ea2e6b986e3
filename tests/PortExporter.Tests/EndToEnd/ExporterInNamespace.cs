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
}
