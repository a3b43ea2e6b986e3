using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using PortExporter.Cli;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Hosting;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Browser;

/// <summary>
/// The exporter's web host on a free loopback port, watching two ports whose causes this machine decides the
/// same way every time: <c>billing</c> on a port nothing listens on (<c>not_listening</c>) and <c>ledger</c> on
/// a port this fixture listens on at 127.0.0.1 only (<c>loopback_only</c>). One browser per test class; pages
/// rendered by it are kept, so each page is loaded once.
/// </summary>
public sealed class DiagnosisPageHost : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<RenderedPage>>> _pages = new(StringComparer.Ordinal);
    private readonly TcpListener _ledger = new(IPAddress.Loopback, 0);
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public int BillingPort { get; private set; }

    public int LedgerPort { get; private set; }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public async Task InitializeAsync()
    {
        _ledger.Start();
        LedgerPort = ((IPEndPoint)_ledger.LocalEndpoint).Port;
        do
        {
            BillingPort = FreePort.Next();
        }
        while (BillingPort == LedgerPort);

        var config = _dir.File("config.yml", $"probes:\n  enabled: false\nports:\n  - name: billing\n    port: {BillingPort}\n  - name: ledger\n    port: {LedgerPort}\n");
        var port = FreePort.Next();
        var settings = new ExporterSettings(
            config, HostPaths.Default, Microsoft.Extensions.Logging.LogLevel.Warning, LogFormat.Logfmt,
            new ListenAddress(IPAddress.Loopback, port), "/metrics", null);
        _app = ServeVerb.Build(settings, ConfigLoader.Load(config));
        await _app.StartAsync();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");

        // The landing page shows the latest collection and never runs one: scrape once, as Prometheus would have.
        using var scraper = new HttpClient();
        _ = await scraper.GetStringAsync(new Uri(BaseAddress, "/metrics"));

        _playwright = await Playwright.CreateAsync();
        _browser = await SystemChromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _ledger.Stop();
        _ledger.Dispose();
        _dir.Dispose();
    }

    public Uri Url(string pathAndFragment) => new(BaseAddress, pathAndFragment);

    /// <summary>The page at <paramref name="path"/> as the browser rendered it (loaded once, then reused).</summary>
    public Task<RenderedPage> RenderAsync(string path) =>
        _pages.GetOrAdd(path, p => new Lazy<Task<RenderedPage>>(() => LoadAsync(p))).Value;

    /// <summary>Opens <paramref name="path"/> in a fresh context with the standard viewport and hands the loaded page to <paramref name="use"/>.</summary>
    public async Task<T> WithPageAsync<T>(string path, Func<IPage, IReadOnlyList<PageRequest>, Task<T>> use)
    {
        await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = SystemChromium.Viewport, DeviceScaleFactor = 1 });
        var page = await context.NewPageAsync();
        var requests = new List<PageRequest>();
        var failures = new ConcurrentDictionary<IRequest, string>();
        page.RequestFailed += (_, r) => failures[r] = r.Failure ?? "failed";
        var seen = new List<IRequest>();
        page.Request += (_, r) =>
        {
            lock (seen)
            {
                seen.Add(r);
            }
        };
        var response = await page.GotoAsync(Url(path).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 90_000 });
        if (response is not { Status: 200 })
        {
            throw new InvalidOperationException($"{path} answered {response?.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}");
        }

        lock (seen)
        {
            requests.AddRange(seen.Select(r => new PageRequest(new Uri(r.Url), r.ResourceType, r.IsNavigationRequest, failures.GetValueOrDefault(r))));
        }

        return await use(page, requests);
    }

    private IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    private Task<RenderedPage> LoadAsync(string path) =>
        WithPageAsync(path, async (page, requests) => new RenderedPage(await page.ContentAsync(), requests));

    /// <summary>Where screenshots go: <c>$PORT_EXPORTER_SCREENSHOTS</c>, else <c>screenshots/</c> beside the tests.</summary>
    public static string ScreenshotDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("PORT_EXPORTER_SCREENSHOTS");
        var dir = string.IsNullOrEmpty(configured) ? Path.Combine(AppContext.BaseDirectory, "screenshots") : Path.GetFullPath(configured);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
