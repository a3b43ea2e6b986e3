using System.Globalization;
using System.Text;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using Prometheus;

namespace PortExporter.Core.Probes;

/// <summary>
/// <c>/probe</c>, blackbox style and framework-free (the web host passes the query, the parsed
/// <c>X-Prometheus-Scrape-Timeout-Seconds</c> and the current config, and writes the response as is).
/// Probes only the config's <c>probe_targets</c> that <see cref="ProbeQuery"/> accepts; anything else is 400.
/// The deadline is the scrape timeout minus <see cref="ProbeLimits.ScrapeTimeoutOffset"/>
/// (<see cref="ProbeLimits.DefaultScrapeTimeout"/> without the header); each probe runs for <c>probes.timeout</c>
/// at most, <c>probes.concurrency</c> at once and within the host's one <see cref="ProbeGate"/> (<c>probes.max_in_flight</c>,
/// shared with the exporter's own probes, so parallel requests never add up past it), and a probe that cannot start before the deadline is skipped
/// and counted in <c>port_probes_skipped</c>, so the answer is always in time. The series carry
/// <c>service</c> = target name, <c>vantage="external"</c> and <c>address</c> = the target's address:port.
/// <c>debug=true</c> answers the step log of every probe followed by the series, and never anything the probed
/// service sent. Thread-safe.
/// </summary>
public sealed class ProbeRequestHandler(TcpProber tcp, UdpProber udp, TimeProvider time, ProbeGate? gate = null)
{
    private readonly ProbeGate _gate = gate ?? ProbeGate.Unbounded();

    /// <summary>Parses the <c>X-Prometheus-Scrape-Timeout-Seconds</c> header; null when absent or not a positive number.</summary>
    public static TimeSpan? ParseScrapeTimeout(string? header) =>
        double.TryParse(header, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds is > 0 and < 86_400
            ? TimeSpan.FromSeconds(seconds)
            : null;

    /// <summary>The time a request may take: the scrape timeout minus the offset (or all of it when the offset would not leave half).</summary>
    public static TimeSpan Budget(TimeSpan? scrapeTimeout)
    {
        var timeout = scrapeTimeout is { } t && t > TimeSpan.Zero ? t : ProbeLimits.DefaultScrapeTimeout;
        var budget = timeout - ProbeLimits.ScrapeTimeoutOffset;
        return budget >= timeout / 2 ? budget : timeout / 2;
    }

    public async Task<ProbeResponse> HandleAsync(
        IReadOnlyDictionary<string, string?> query, TimeSpan? scrapeTimeoutHeader, ExporterConfig config, CancellationToken ct)
    {
        if (!ProbeQuery.TryParse(query, config.ProbeTargets, out var request, out var problem))
        {
            return ProbeResponse.BadRequest(problem!);
        }

        var budget = Budget(scrapeTimeoutHeader);
        var deadline = time.GetUtcNow() + budget;
        var logs = request!.Targets.Select(_ => request.Debug ? new ProbeStepLog(time) : null).ToList();
        ProbeResult?[] results;
        int skipped;
        using (var slots = new ProbeSlots(config.Probes.Concurrency, _gate, deadline, time, ct))
        {
            var runs = request.Targets.Select((target, i) => slots.RunAsync(token =>
            {
                var prober = target.Protocol == TransportProtocol.Udp ? (IProber)udp : tcp;
                var probeDeadline = time.GetUtcNow() + config.Probes.Timeout;
                return prober.ProbeAsync(
                    ProbeVantageNames.External, target.Address, target.Port, probeDeadline < deadline ? probeDeadline : deadline, token, logs[i]);
            })).ToList();
            results = await Task.WhenAll(runs).ConfigureAwait(false);
            skipped = slots.Skipped;
        }

        var labelled = request.Targets
            .Zip(results)
            .Where(p => p.Second is not null)
            .Select(p => (TargetLabels(p.First), p.Second!))
            .ToList();
        var exposition = await ExposeAsync(labelled, skipped, ct).ConfigureAwait(false);
        if (!request.Debug)
        {
            return new ProbeResponse(200, ProbeResponse.ExpositionContentType, exposition);
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Probe deadline {Probing.Seconds(budget)}, probes.timeout {Probing.Seconds(config.Probes.Timeout)}, concurrency {config.Probes.Concurrency}, max_in_flight {config.Probes.MaxInFlight} (this host, {_gate.InFlight} in flight now)\n");
        for (var i = 0; i < request.Targets.Count; i++)
        {
            var target = request.Targets[i];
            text.Append(CultureInfo.InvariantCulture, $"\nLogs for target {target.Name} ({Probing.Label(target.Address, target.Port)}/{target.Protocol.ToLabel()}):\n");
            var lines = logs[i]!.Lines;
            if (results[i] is null)
            {
                text.Append("  skipped: no probe slot before the deadline\n");
            }

            foreach (var line in lines)
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }

        text.Append("\nMetrics that would have been returned:\n").Append(exposition);
        return new ProbeResponse(200, ProbeResponse.TextContentType, text.ToString());
    }

    private static string[] TargetLabels(ProbeTarget target) =>
        [target.Name, target.Port.ToString(CultureInfo.InvariantCulture), target.Protocol.ToLabel()];

    private static async Task<string> ExposeAsync(IReadOnlyList<(string[], ProbeResult)> results, int skipped, CancellationToken ct)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = ProbeMetrics.ForProbeAnswer(Prometheus.Metrics.WithCustomRegistry(registry));
        metrics.WriteResults(results, skipped);
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, ct).ConfigureAwait(false);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
