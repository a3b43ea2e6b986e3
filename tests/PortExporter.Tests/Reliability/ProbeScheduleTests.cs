using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// The real exporter probes on its own schedule: the connections a watched service receives from the probes are
/// bounded by the rounds <c>probes.interval</c> allows in the time that passed, the same with 1 scraper as with 5
/// (each collecting afresh); a SIGHUP with a new port has it probed without any scrape; <c>--no-collector.probes</c>
/// probes nothing. Connections are counted where they arrive: at listeners the test holds in its own namespace.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ProbeScheduleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Probe_connections_do_not_grow_with_the_number_of_scrapers()
    {
        using var ns = new Netns("probes");
        using var dir = new TempDir();
        using var thread = new NetnsThread(ns);
        using var service = new CountingListener(thread, 8080);
        var config = dir.File("config.yml", $"""
            web:
              min_collection_interval: 1ms  # every scrape collects afresh: before the schedule, every one probed
            probes:
              interval: {Interval.TotalSeconds}s
            ports:
              - name: web
                port: 8080
            """);
        using var exporter = new RunningExporter(ns, ["--config.file", config]);
        var round = await exporter.WaitForProbeRoundAsync();
        Assert.Equal(1, Value(round.Body, "port_probe_success", ("service", "web"), ("vantage", "loopback")));

        // One probe a round (loopback: the namespace has no other address). A phase of T seconds holds at most
        // floor(T / (0.9 x interval)) + 1 round starts, as rounds start no closer together, and one more round started
        // just before may connect within it; a busy machine only has fewer.
        var one = await PhaseAsync(exporter, service, scrapers: 1);
        var five = await PhaseAsync(exporter, service, scrapers: 5);

        foreach (var (scrapers, phase) in new[] { (1, one), (5, five) })
        {
            var bound = (int)Math.Floor(phase.Elapsed / (Interval * 0.9)) + 2;
            output.WriteLine($"{scrapers} scraper(s): {phase.Scrapes} scrapes, {phase.Collections} collections, {phase.Connections} probe connections in {phase.Elapsed.TotalSeconds:0.0} s (at most {bound} rounds)");
            Assert.True(phase.Connections <= bound, $"{scrapers} scraper(s): {phase.Connections} probe connections in {phase.Elapsed.TotalSeconds:0.0} s, more than the {bound} rounds the interval allows");
        }

        Assert.True(one.Connections + five.Connections > 0, "no probe connection in either phase");
    }

    [Fact]
    public async Task A_reload_with_a_new_port_has_it_probed_without_a_scrape()
    {
        using var ns = new Netns("probes");
        using var dir = new TempDir();
        using var thread = new NetnsThread(ns);
        using var web = new CountingListener(thread, 8080);
        using var api = new CountingListener(thread, 9090);
        var config = dir.File("config.yml", "probes:\n  interval: 1h\nports:\n  - name: web\n    port: 8080\n");
        using var exporter = new RunningExporter(ns, ["--config.file", config]);
        var first = await exporter.WaitForProbeRoundAsync();
        Assert.Equal(0, api.Accepted);

        // An hour's interval: only the reload can start the next round.
        File.WriteAllText(config, "probes:\n  interval: 1h\nports:\n  - name: api\n    port: 9090\n");
        var logged = exporter.Log.Count;
        exporter.Signal(1);
        exporter.WaitForLog("config reloaded", logged);
        await api.WaitForConnectionAsync();

        var body = (await exporter.WaitForProbeRoundAsync(Value(first.Body, "port_probe_last_run_timestamp_seconds", ("vantage", "loopback"))!.Value)).Body;
        Assert.Equal(1, Value(body, "port_probe_success", ("service", "api"), ("vantage", "loopback")));
        Assert.Null(Value(body, "port_probe_success", ("service", "web"), ("vantage", "loopback")));
    }

    [Fact]
    public async Task With_the_probes_collector_off_nothing_is_probed()
    {
        using var ns = new Netns("probes");
        using var dir = new TempDir();
        using var thread = new NetnsThread(ns);
        using var web = new CountingListener(thread, 8080);
        var config = dir.File("config.yml", "probes:\n  interval: 1s\nports:\n  - name: web\n    port: 8080\n");
        using var exporter = new RunningExporter(ns, ["--config.file", config, "--no-collector.probes"]);

        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(4))
        {
            var body = (await exporter.ReadAsync()).Body;
            Assert.Empty(Series(body, "port_probe_success"));
            Assert.Empty(Series(body, "port_probe_last_run_timestamp_seconds"));
            await Task.Delay(500);
        }

        Assert.Equal(0, web.Accepted);
    }

    [Fact]
    public async Task A_vantage_probes_its_targets_unasked_and_shows_a_dead_host()
    {
        using var ns = new Netns("probes");
        using var dir = new TempDir();
        using var thread = new NetnsThread(ns);
        var service = new CountingListener(thread, 8080);
        var config = dir.File("config.yml", """
            probes:
              interval: 1s
            ports:
              - name: exporter
                port: 10070
            probe_targets:
              - name: web1-http
                address: 127.0.0.1
                port: 8080
                host: web1
            """);
        using var exporter = new RunningExporter(ns, ["--config.file", config]);

        var round = await exporter.WaitForProbeRoundAsync();
        (string, string)[] target = [("target", "web1-http"), ("host", "web1"), ("address", "127.0.0.1:8080"), ("protocol", "tcp")];
        Assert.Equal(1, Value(round.Body, "port_target_probe_success", target));

        // The host dies; nobody asks /probe: the vantage's own rounds show it. The first round ending after the death
        // may have started before it; the one after that started after it.
        service.Dispose();
        var died = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var straddling = await exporter.WaitForProbeRoundAsync(died);
        var after = await exporter.WaitForProbeRoundAsync(Value(straddling.Body, "port_probe_last_run_timestamp_seconds", ("vantage", "loopback"))!.Value);
        Assert.Equal(0, Value(after.Body, "port_target_probe_success", target));
        Assert.Equal(1, Value(after.Body, "port_target_probe_failure_reason", [.. target, ("reason", "refused")]));
    }

    private async Task<PhaseResult> PhaseAsync(RunningExporter exporter, CountingListener service, int scrapers)
    {
        var before = Value((await exporter.ReadAsync()).Body, "port_exporter_collections_total") ?? 0;
        var scrapes = 0;
        var sw = Stopwatch.StartNew();
        var connections = service.Accepted;
        await Task.WhenAll(Enumerable.Range(0, scrapers).Select(_ => Task.Run(async () =>
        {
            while (sw.Elapsed < Phase)
            {
                var answer = await exporter.GetAsync("/metrics", DeadlineScrapes.Deadline.TotalSeconds, TimeSpan.FromSeconds(30));
                Assert.Equal(200, answer.Status);
                Interlocked.Increment(ref scrapes);
            }
        })));
        var accepted = service.Accepted - connections;
        var elapsed = sw.Elapsed;
        var after = Value((await exporter.ReadAsync()).Body, "port_exporter_collections_total") ?? 0;
        return new PhaseResult(scrapes, (long)(after - before), accepted, elapsed);
    }

    private sealed record PhaseResult(int Scrapes, long Collections, int Connections, TimeSpan Elapsed);

    /// <summary>A TCP listener in the test's namespace that accepts, counts and closes every connection.</summary>
    private sealed class CountingListener : IDisposable
    {
        private readonly Socket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _accepted;

        public CountingListener(NetnsThread thread, int port)
        {
            _socket = thread.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _socket.Bind(new IPEndPoint(IPAddress.Any, port));
            _socket.Listen(512);
            _accepting = AcceptAsync();
        }

        public int Accepted => Volatile.Read(ref _accepted);

        public async Task WaitForConnectionAsync()
        {
            var until = DateTime.UtcNow + RunningExporter.EventBound;
            while (Accepted == 0)
            {
                Assert.True(DateTime.UtcNow < until, $"no probe connection within {RunningExporter.EventBound.TotalSeconds} s");
                await Task.Delay(20);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            _accepting.Wait(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var connection = await _socket.AcceptAsync(_stop.Token);
                    Interlocked.Increment(ref _accepted);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        }
    }
}
