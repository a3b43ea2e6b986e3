using System.Diagnostics;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

/// <summary><c>/probe</c> from the client namespace against the lab server's targets.</summary>
public sealed class ProbeRequestHandlerTests(ProbeLab lab) : IClassFixture<ProbeLab>
{
    private static readonly ProbeTarget[] Targets =
    [
        new("web", "10.3.0.1", 8080, TransportProtocol.Tcp),
        new("web-closed", "10.3.0.1", 8081, TransportProtocol.Tcp),
        new("web-dropped", "10.3.0.1", 9001, TransportProtocol.Tcp),
        new("echo", "10.3.0.1", 5353, TransportProtocol.Udp),
        new("echo-closed", "10.3.0.1", 5354, TransportProtocol.Udp),
    ];

    [Fact]
    public async Task A_target_answers_its_series_as_exposition_text()
    {
        var response = await Handler().HandleAsync(Query(("target", "web-closed")), null, Config(), CancellationToken.None);

        Assert.Equal((200, "text/plain; version=0.0.4; charset=utf-8"), (response.StatusCode, response.ContentType));
        Assert.Equal(
            ["port_probe_success{service=\"web-closed\",port=\"8081\",protocol=\"tcp\",vantage=\"external\",address=\"10.3.0.1:8081\"} 0"],
            Exposition.Samples(response.Body, "port_probe_success"));
        Assert.Equal(
            ["port_probe_failure_reason{service=\"web-closed\",port=\"8081\",protocol=\"tcp\",vantage=\"external\",address=\"10.3.0.1:8081\",reason=\"refused\"} 1"],
            Exposition.Samples(response.Body, "port_probe_failure_reason"));
        var parsed = Assert.Single(ProbeAnswerParser.Parse(response.Body));
        Assert.Equal(ProbeFailureReason.Refused, parsed.Reason);
        Assert.Equal(string.Empty, await Exposition.LintAsync(response.Body));
        Assert.DoesNotContain("port_vantage_up", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_probes_every_target_with_that_port_and_protocol()
    {
        var response = await Handler().HandleAsync(Query(("port", "5353"), ("protocol", "udp")), null, Config(), CancellationToken.None);

        var result = Assert.Single(ProbeAnswerParser.Parse(response.Body));
        Assert.Equal(("echo", true), (result.Service, result.Success));
    }

    [Theory]
    [InlineData("target", "db")]
    [InlineData("target", "10.3.0.1:8080")]
    [InlineData("port", "22")]
    [InlineData("module", "tcp_connect")]
    public async Task Anything_not_in_the_config_is_400_and_probes_nothing(string key, string value)
    {
        var response = await Handler().HandleAsync(Query((key, value)), null, Config(), CancellationToken.None);

        Assert.Equal((400, "text/plain; charset=utf-8"), (response.StatusCode, response.ContentType));
        Assert.DoesNotContain("port_probe", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_gives_the_step_log_and_the_series_but_nothing_the_service_sent()
    {
        var tcp = await Handler().HandleAsync(Query(("target", "web"), ("debug", "true")), null, Config(), CancellationToken.None);
        var udp = await Handler().HandleAsync(Query(("target", "echo"), ("debug", "true")), null, Config(), CancellationToken.None);

        Assert.Equal((200, "text/plain; charset=utf-8"), (tcp.StatusCode, tcp.ContentType));
        Assert.Contains("Logs for target web (10.3.0.1:8080/tcp):", tcp.Body, StringComparison.Ordinal);
        Assert.Contains("10.3.0.1:8080: tcp connect started", tcp.Body, StringComparison.Ordinal);
        Assert.Contains("10.3.0.1:8080: connected after", tcp.Body, StringComparison.Ordinal);
        Assert.Contains("Metrics that would have been returned:", tcp.Body, StringComparison.Ordinal);
        Assert.Contains("10.3.0.1:5353: answered after", udp.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", tcp.Body + udp.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_deadline_is_the_scrape_timeout_header_minus_the_offset()
    {
        var config = Config() with { Probes = new ProbeSettings(true, TimeSpan.FromSeconds(30), 4) };
        var scrapeTimeout = TimeSpan.FromSeconds(1.5);
        var watch = Stopwatch.StartNew();

        var response = await Handler().HandleAsync(Query(("target", "web-dropped")), scrapeTimeout, config, CancellationToken.None);

        // 1.5 s - 0.5 s offset = 1 s, not the configured 30 s probe timeout: the probe ran to the deadline and the answer
        // came before the client's 1.5 s were up, the offset being the only room.
        Assert.InRange(watch.Elapsed, (scrapeTimeout - ProbeLimits.ScrapeTimeoutOffset) * 0.9, scrapeTimeout);
        Assert.Contains("reason=\"timeout\"} 1", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_hundred_targets_that_all_hang_still_answer_within_the_deadline()
    {
        var hanging = Enumerable.Range(0, 500).Select(i => new ProbeTarget($"hang{i}", "10.3.0.1", 9001, TransportProtocol.Tcp)).ToArray();
        var config = Config(hanging) with { Probes = new ProbeSettings(true, TimeSpan.FromSeconds(1), 32) };
        var scrapeTimeout = TimeSpan.FromSeconds(3);
        var watch = Stopwatch.StartNew();

        var response = await Handler().HandleAsync(Query(("port", "9001")), scrapeTimeout, config, CancellationToken.None);

        var elapsed = watch.Elapsed;
        Assert.True(elapsed < scrapeTimeout, $"answered after {elapsed.TotalSeconds:0.000} s, past the {scrapeTimeout.TotalSeconds} s scrape timeout");
        var results = ProbeAnswerParser.Parse(response.Body);
        Assert.All(results, r => Assert.Equal(ProbeFailureReason.Timeout, r.Reason));
        var skipped = int.Parse(Exposition.Samples(response.Body, "port_probes_skipped").Single().Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(500, results.Count + skipped);
        // The first 32 start at once; each wave takes the 1 s probe timeout, so at most three fit before the deadline
        // (fewer on a busy machine, where a wave may start too late: those are skipped, never reported).
        Assert.InRange(results.Count, 32, 96);
    }

    [Theory]
    [InlineData("3", 3.0)]
    [InlineData("0.25", 0.25)]
    [InlineData("", null)]
    [InlineData("ten", null)]
    [InlineData("-1", null)]
    [InlineData("NaN", null)]
    public void Parses_the_scrape_timeout_header(string header, double? seconds) =>
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, ProbeRequestHandler.ParseScrapeTimeout(header));

    [Theory]
    [InlineData(null, 9.5)]
    [InlineData(10.0, 9.5)]
    [InlineData(0.6, 0.3)]
    public void The_budget_keeps_the_offset_unless_it_would_leave_less_than_half(double? header, double budget) =>
        Assert.Equal(TimeSpan.FromSeconds(budget), ProbeRequestHandler.Budget(header is { } h ? TimeSpan.FromSeconds(h) : null));

    [Fact]
    public async Task Parallel_requests_never_have_more_connection_attempts_in_flight_than_the_global_cap()
    {
        const int cap = 6;
        var dropped = Enumerable.Range(0, 16).Select(i => new ProbeTarget($"dropped-{i}", "10.3.0.1", 9001, TransportProtocol.Tcp)).ToArray();
        var config = Config(dropped) with { Probes = new ProbeSettings(true, TimeSpan.FromMilliseconds(600), 32) { MaxInFlight = cap } };
        var gate = new ProbeGate(() => config.Probes.MaxInFlight);
        var handler = new ProbeRequestHandler(lab.ClientTcp(), lab.ClientUdp(), TimeProvider.System, gate);
        using var stop = new CancellationTokenSource();
        var observed = Task.Run(() => PeakConnectionAttempts(stop.Token));

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            handler.HandleAsync(Query(("port", "9001")), TimeSpan.FromSeconds(2.5), config, CancellationToken.None)));
        await stop.CancelAsync();
        var peak = await observed;

        Assert.All(responses, r => Assert.Equal(200, r.StatusCode));
        Assert.InRange(peak, 1, cap);
        Assert.InRange(gate.Peak, 1, cap);
        Assert.Equal(0, gate.InFlight);
    }

    /// <summary>
    /// The most TCP connects from the client namespace seen waiting for an answer (SYN-SENT) in two samples in a row.
    /// One sample can catch an attempt whose probe has ended (and given back its place) while the runtime has not yet
    /// closed the socket; an attempt over the cap would last the whole blackholed probe, so it shows in both samples.
    /// </summary>
    private int PeakConnectionAttempts(CancellationToken stop)
    {
        var peak = 0;
        var previous = 0;
        while (!stop.IsCancellationRequested)
        {
            var lines = lab.Client.Exec("ss", "-Htn", "state", "syn-sent").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            peak = Math.Max(peak, Math.Min(previous, lines.Length));
            previous = lines.Length;
        }

        return peak;
    }

    private ProbeRequestHandler Handler() => new(lab.ClientTcp(), lab.ClientUdp(), TimeProvider.System);

    private static ExporterConfig Config(ProbeTarget[]? targets = null) =>
        ExporterConfig.AutoDiscover with { SourcePath = "probe.yml", ProbeTargets = targets ?? Targets };

    private static Dictionary<string, string?> Query(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
}
