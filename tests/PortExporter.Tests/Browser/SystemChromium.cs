using Microsoft.Playwright;

namespace PortExporter.Tests.Browser;

/// <summary>
/// Debian's <c>chromium</c>, launched headless by Playwright (its bundled driver, no browser download): host name
/// resolution is switched off except for loopback, so the browser's own background requests (update checks,
/// network time, account probes) never leave the machine and the page under test can load nothing from elsewhere.
/// </summary>
public static class SystemChromium
{
    public const string Program = "/usr/bin/chromium";

    /// <summary>Flags added to Playwright's own.</summary>
    public static IReadOnlyList<string> Flags { get; } =
    [
        "--disable-gpu",
        "--disable-quic",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ];

    /// <summary>The viewport every page is rendered in (and screenshotted at), at a device scale factor of 1.</summary>
    public static ViewportSize Viewport { get; } = new() { Width = 1280, Height = 900 };

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"{Program} is missing: install Debian's chromium package (apt-get install chromium; scripts/test does)");
        }

        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Program,
            Headless = true,
            ChromiumSandbox = false,
            Args = Flags,
            Timeout = 90_000,
        });
    }
}
