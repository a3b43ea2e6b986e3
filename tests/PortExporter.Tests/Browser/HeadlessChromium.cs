using System.Diagnostics;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Browser;

/// <summary>
/// Debian's <c>chromium</c>, driven headless from its command line (no driver, no npm): a fresh profile per run,
/// a net log of everything it did on the network, and host name resolution switched off except for loopback,
/// so the browser's own background requests (update checks, network time, account probes) never leave the
/// machine and the page under test can load nothing from anywhere else.
/// </summary>
public static class HeadlessChromium
{
    public const string Program = "/usr/bin/chromium";

    /// <summary>The flags every run gets.</summary>
    public static IReadOnlyList<string> Flags { get; } =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The DOM after the page loaded, serialized (<c>--dump-dom</c>).</summary>
    public static BrowserRun DumpDom(Uri url) => Run(url, "--dump-dom");

    /// <summary>A screenshot of the viewport, 1280x900, written to <paramref name="file"/>.</summary>
    public static BrowserRun Screenshot(Uri url, string file) => Run(url, $"--screenshot={file}", "--window-size=1280,900");

    private static BrowserRun Run(Uri url, params string[] action)
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"{Program} is missing: install Debian's chromium package (apt-get install chromium; scripts/test does)");
        }

        var profile = Directory.CreateTempSubdirectory("pe-chromium-");
        try
        {
            var netLog = Path.Combine(profile.FullName, "netlog.json");
            string[] args = [.. Flags, $"--user-data-dir={Path.Combine(profile.FullName, "profile")}", $"--log-net-log={netLog}", .. action, url.AbsoluteUri];
            var clock = Stopwatch.StartNew();
            var result = Shell.RunWithTimeout(Timeout, Program, args);
            clock.Stop();
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"chromium exited {result.ExitCode} on {url}: {Tail(result.Stderr)}");
            }

            if (!File.Exists(netLog))
            {
                throw new InvalidOperationException($"chromium wrote no net log for {url}: {Tail(result.Stderr)}");
            }

            return new BrowserRun(result.Stdout, ChromiumNetLog.Parse(File.ReadAllText(netLog)), clock.Elapsed);
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A helper process still closing its files: the directory is in the temp folder.
            }
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : text[^2000..].Trim();
}
