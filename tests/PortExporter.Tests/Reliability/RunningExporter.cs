using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// The real exporter as a process inside a test namespace (<c>ip netns exec NS [env PATH=..] [prefix..] exporter</c>;
/// both exec, so <see cref="Pid"/> is the exporter's own), scraped over HTTP from the test through a
/// <see cref="NetnsThread"/>. Its log lines are kept; its memory and signals are reachable through the pid.
/// </summary>
public sealed partial class RunningExporter : IDisposable
{
    public const int Port = 10070;
    public const string ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds";

    /// <summary>
    /// How long a test waits for something that happens on the exporter's own schedule (a log line after a signal,
    /// a probe round, a refresh a scrape started, the start itself): a bound against a hang, never a timing assertion,
    /// so it is generous; a busy machine only takes longer to get there.
    /// </summary>
    public static readonly TimeSpan EventBound = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The gen0 budget baked into the shipped binary (<c>--runtimeopt:GCgen0size=</c> in PortExporter.csproj, read from
    /// there), hexadecimal as the runtime reads it.
    /// </summary>
    public static readonly string ShippedGen0Size = Gen0SizeRegex().Match(File.ReadAllText(Deploy.RepositoryFiles.PathOf("src/PortExporter/PortExporter.csproj"))) is { Success: true } m
        ? m.Groups[1].Value
        : throw new InvalidOperationException("PortExporter.csproj bakes no GCgen0size into the binary");

    private readonly Process _process;
    private readonly NetnsThread _thread;
    private readonly HttpClient _http;
    private readonly List<string> _log = [];

    /// <param name="ns">The namespace to run in.</param>
    /// <param name="args">Exporter flags (the listen address and debug logging are added).</param>
    /// <param name="path">PATH and --path.commands for the exporter (the stub tools), or null for the defaults.</param>
    /// <param name="prefix">A command the exporter runs under (setpriv ...), or none.</param>
    /// <param name="command">The exporter command; default <see cref="ExporterBinary.Command"/>.</param>
    public RunningExporter(Netns ns, IEnumerable<string> args, string? path = null, IReadOnlyList<string>? prefix = null, IReadOnlyList<string>? command = null)
    {
        var exporterArgs = (string[])[.. args, "--web.listen-address", $"127.0.0.1:{Port}", "--log.level", "debug", .. path is null ? (string[])[] : ["--path.commands", path]];
        var exporter = command is null ? ExporterBinary.Command(exporterArgs) : [.. command, .. exporterArgs];
        var env = path is null ? (string[])[] : ["env", $"PATH={path}"];
        var info = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };

        // The gen0 budget the shipped NativeAOT binary has baked in (PortExporter.csproj, GCgen0size). The JIT build under
        // test otherwise sizes it from the CPU's last-level cache, which on some machines is hundreds of MB: its RSS would
        // then grow by that much before the first collection, and a test's bound on growth would measure the cache.
        info.Environment["DOTNET_GCgen0size"] = ShippedGen0Size;
        foreach (var a in (string[])["netns", "exec", ns.Name, .. env, .. prefix ?? [], .. exporter])
        {
            info.ArgumentList.Add(a);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _thread = new NetnsThread(ns);
        _http = _thread.HttpClient();
        _http.Timeout = Timeout.InfiniteTimeSpan;
        WaitHealthy();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>
    /// GET <paramref name="path"/> as Prometheus scrapes: with the scrape-timeout header, and a client that gives up
    /// when that timeout has passed (the test fails, naming the deadline). The exporter's offset below the header is
    /// the only room it has. Without a header (null) the client waits up to 60 s; <paramref name="clientTimeout"/>
    /// gives a client more patience than the header says (a warm-up, not a scrape under test).
    /// </summary>
    public async Task<Answer> GetAsync(string path = "/metrics", double? timeoutSeconds = 5, TimeSpan? clientTimeout = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Port}{path}");
        if (timeoutSeconds is { } t)
        {
            request.Headers.Add(ScrapeTimeoutHeader, t.ToString(CultureInfo.InvariantCulture));
        }

        var patience = clientTimeout ?? (timeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(60));
        using var cts = new CancellationTokenSource(patience);
        var sw = Stopwatch.StartNew();
        try
        {
            using var response = await _http.SendAsync(request, cts.Token);
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            return new Answer((int)response.StatusCode, body, sw.Elapsed);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {path}: a client with a {patience.TotalSeconds:0.###} s timeout gave up before the whole answer arrived");
        }
    }

    public Answer Get(string path = "/metrics", double? timeoutSeconds = 5) => GetAsync(path, timeoutSeconds).GetAwaiter().GetResult();

    /// <summary>
    /// GET <paramref name="path"/> where the answer, not its time, is under test: the scrape timeout header of a
    /// Prometheus scrape, and a client that waits up to <see cref="EventBound"/> for it.
    /// </summary>
    public Task<Answer> ReadAsync(string path = "/metrics") => GetAsync(path, DeadlineScrapes.Deadline.TotalSeconds, EventBound);

    /// <summary>
    /// GET <paramref name="path"/> as the scrape that must show a change made just before it: a scrape waits for the
    /// refresh the change started up to half its time left, so it gets a scrape timeout of <see cref="EventBound"/>
    /// (the exporter bounds it to 120 s). On a quiet machine it answers in well under a second; on a busy one the
    /// refresh still ends inside that half, where a 5 s scrape's 2.25 s would not.
    /// </summary>
    public Task<Answer> NextScrapeAsync(string path = "/metrics") => GetAsync(path, EventBound.TotalSeconds);

    /// <summary>
    /// Reads <paramref name="path"/> (<see cref="ReadAsync"/>) until <paramref name="seen"/> holds for the body, for
    /// up to <see cref="EventBound"/>; returns that answer. For what the exporter shows once its own schedule gets
    /// there (a refresh started by an earlier scrape), which a busy machine reaches later, not never.
    /// </summary>
    public async Task<Answer> ReadUntilAsync(Func<string, bool> seen, string what, string path = "/metrics")
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var answer = await ReadAsync(path);
            if (seen(answer.Body))
            {
                return answer;
            }

            if (sw.Elapsed > EventBound)
            {
                throw new TimeoutException($"GET {path}: {what} not seen within {EventBound.TotalSeconds} s; last answer:\n{answer.Body}\nlog:\n{string.Join('\n', Log.TakeLast(30))}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// One scrape with the scrape timeout of <paramref name="timeoutSeconds"/> and a patient client: the exporter's
    /// first pass through its collection code (JIT compilation, first reads) is done before the scrapes under test,
    /// whose deadlines then measure the fault handling, not the start. The shipped NativeAOT binary has no JIT pass.
    /// </summary>
    public Task<Answer> WarmUpAsync(double timeoutSeconds = 5) => GetAsync("/metrics", timeoutSeconds, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Scrapes until the probe schedule has ended a round after <paramref name="afterUnixSeconds"/> (its
    /// <c>port_probe_last_run_timestamp_seconds{vantage="loopback"}</c>) and that scrape shows the round's results
    /// (a result older than two intervals is stale and not shown, only its timestamp); returns that scrape. Probes run
    /// on their own schedule, so the first scrapes after start may have no probe results yet, and on a busy machine a
    /// scrape may come when the latest round's results have gone stale.
    /// </summary>
    public Task<Answer> WaitForProbeRoundAsync(double afterUnixSeconds = 0) => ReadUntilAsync(
        body => EndToEnd.MetricsText.Value(body, "port_probe_last_run_timestamp_seconds", ("vantage", "loopback")) > afterUnixSeconds
            && EndToEnd.MetricsText.Series(body, "port_probe_success").Count + EndToEnd.MetricsText.Series(body, "port_target_probe_success").Count > 0,
        $"a probe round ended after {afterUnixSeconds} with its results");

    /// <summary>VmRSS of the exporter, in KiB.</summary>
    public long RssKb() => StatusField("VmRSS");

    /// <summary>A field of /proc/PID/status in kB (VmRSS, VmHWM), or the raw text of another (CapEff).</summary>
    public long StatusField(string name) =>
        long.Parse(StatusText(name).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);

    public string StatusText(string name) =>
        File.ReadAllLines($"/proc/{Pid}/status").Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();

    public void Signal(int signal)
    {
        if (kill(Pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Waits until a log line contains <paramref name="text"/> (counting only lines after the first <paramref name="skip"/>).</summary>
    public void WaitForLog(string text, int skip = 0)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < EventBound)
        {
            if (Log.Skip(skip).Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"no log line with '{text}' within {EventBound.TotalSeconds} s; log:\n{string.Join('\n', Log.TakeLast(30))}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _http.Dispose();
        _thread.Dispose();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Count < 100_000)
            {
                _log.Add(line);
            }
        }
    }

    private void WaitHealthy()
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < EventBound)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the exporter exited with {_process.ExitCode}:\n{string.Join('\n', Log)}");
            }

            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = _http.GetAsync($"http://127.0.0.1:{Port}/-/healthy", cts.Token).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"the exporter did not answer /-/healthy within {EventBound.TotalSeconds} s:\n{string.Join('\n', Log)}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>One HTTP answer and how long it took.</summary>
    public sealed record Answer(int Status, string Body, TimeSpan Elapsed);

    [System.Text.RegularExpressions.GeneratedRegex("--runtimeopt:GCgen0size=([0-9A-Fa-f]+)")]
    private static partial System.Text.RegularExpressions.Regex Gen0SizeRegex();
}
