using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using PortExporter.Core.Probes;
using Prometheus;

namespace PortExporter.Tests.Probes;

public sealed class ProbeMetricsTests
{
    private static readonly PortSpec Web = new("web", 8080, TransportProtocol.Tcp);
    private static readonly PortSpec Dns = new("dns", 53, TransportProtocol.Udp);

    [Fact]
    public async Task Writes_success_duration_and_the_current_reason_only_for_failures()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new ProbeMetrics(Prometheus.Metrics.WithCustomRegistry(registry));

        metrics.Write(Snapshot(
            new Dictionary<PortKey, IReadOnlyList<ProbeResult>>
            {
                [Web.Key] =
                [
                    new("loopback", "127.0.0.1:8080", true, ProbeFailureReason.None, TimeSpan.FromMilliseconds(1)),
                    new("internal", "10.0.0.5:8080", false, ProbeFailureReason.Refused, TimeSpan.FromMilliseconds(2)),
                    new("outside", "203.0.113.10:80", false, ProbeFailureReason.Timeout, TimeSpan.FromSeconds(2)),
                ],
                [Dns.Key] = [new("loopback", "127.0.0.1:53", false, ProbeFailureReason.Timeout, TimeSpan.FromSeconds(2))],
            },
            new Dictionary<string, bool> { ["outside"] = true, ["cloud"] = false },
            skipped: 3));
        var text = await Exposition.TextAsync(registry);

        Assert.Equal(
            [
                "port_probe_success{service=\"web\",port=\"8080\",protocol=\"tcp\",vantage=\"loopback\",address=\"127.0.0.1:8080\"} 1",
                "port_probe_success{service=\"web\",port=\"8080\",protocol=\"tcp\",vantage=\"internal\",address=\"10.0.0.5:8080\"} 0",
                "port_probe_success{service=\"web\",port=\"8080\",protocol=\"tcp\",vantage=\"outside\",address=\"203.0.113.10:80\"} 0",
                "port_probe_success{service=\"dns\",port=\"53\",protocol=\"udp\",vantage=\"loopback\",address=\"127.0.0.1:53\"} 0",
            ],
            Exposition.Samples(text, "port_probe_success"));
        Assert.Equal(
            [
                "port_probe_failure_reason{service=\"web\",port=\"8080\",protocol=\"tcp\",vantage=\"internal\",address=\"10.0.0.5:8080\",reason=\"refused\"} 1",
                "port_probe_failure_reason{service=\"web\",port=\"8080\",protocol=\"tcp\",vantage=\"outside\",address=\"203.0.113.10:80\",reason=\"timeout\"} 1",
                "port_probe_failure_reason{service=\"dns\",port=\"53\",protocol=\"udp\",vantage=\"loopback\",address=\"127.0.0.1:53\",reason=\"timeout\"} 1",
            ],
            Exposition.Samples(text, "port_probe_failure_reason"));
        Assert.Contains("port_probe_duration_seconds{service=\"web\",port=\"8080\",protocol=\"tcp\",vantage=\"outside\",address=\"203.0.113.10:80\"} 2", text, StringComparison.Ordinal);
        Assert.Equal(["port_vantage_up{vantage=\"outside\"} 1", "port_vantage_up{vantage=\"cloud\"} 0"], Exposition.Samples(text, "port_vantage_up"));
        Assert.Equal(["port_probes_skipped 3"], Exposition.Samples(text, "port_probes_skipped"));
        Assert.Equal(string.Empty, await Exposition.LintAsync(text));
        foreach (var name in (string[])["port_probe_success", "port_probe_duration_seconds", "port_probe_failure_reason", "port_vantage_up", "port_probes_skipped"])
        {
            Assert.Contains($"# HELP {name} ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Counts_each_ports_outside_probes_and_each_remote_vantages_successes_for_the_fleet_rules()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new ProbeMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        ProbeResult Result(string vantage, string address, bool success) =>
            new(vantage, address, success, success ? ProbeFailureReason.None : ProbeFailureReason.Timeout, TimeSpan.FromMilliseconds(1));

        metrics.Write(Snapshot(
            new Dictionary<PortKey, IReadOnlyList<ProbeResult>>
            {
                [Web.Key] =
                [
                    Result("loopback", "127.0.0.1:8080", true),
                    Result("internal", "10.0.0.5:8080", true),
                    Result("external", "203.0.113.10:80", false),
                    Result("dc-a", "203.0.113.10:80", true),
                    Result("dc-a", "[2001:db8::10]:80", false),
                    Result("dc-b", "203.0.113.10:80", false),
                ],
                [Dns.Key] = [Result("loopback", "127.0.0.1:53", true), Result("dc-a", "203.0.113.10:53", true)],
            },
            new Dictionary<string, bool> { ["dc-a"] = true, ["dc-b"] = true, ["dc-c"] = false }));
        var text = await Exposition.TextAsync(registry);

        // Outside = every vantage but the host's own loopback and internal probes, the external address included.
        Assert.Equal(
            [
                "port_outside_probes{service=\"web\",port=\"8080\",protocol=\"tcp\"} 4",
                "port_outside_probes{service=\"dns\",port=\"53\",protocol=\"udp\"} 1",
            ],
            Exposition.Samples(text, "port_outside_probes"));

        // Remote vantages only, each over all the host's ports; one that did not answer has no results and no series.
        Assert.Equal(
            ["port_vantage_probes_succeeded{vantage=\"dc-a\"} 2", "port_vantage_probes_succeeded{vantage=\"dc-b\"} 0"],
            Exposition.Samples(text, "port_vantage_probes_succeeded"));
        Assert.Equal(string.Empty, await Exposition.LintAsync(text));

        metrics.Write(new EvidenceSnapshot(DateTimeOffset.UnixEpoch, ExporterConfig.AutoDiscover, [Web], new Dictionary<string, CollectorStatus>()));
        var missing = await Exposition.TextAsync(registry);
        Assert.Empty(Exposition.Samples(missing, "port_outside_probes"));
        Assert.Empty(Exposition.Samples(missing, "port_vantage_probes_succeeded"));
    }

    [Fact]
    public async Task A_reason_goes_when_the_probe_succeeds_and_everything_goes_when_evidence_is_missing()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new ProbeMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        var failing = new ProbeResult("internal", "10.0.0.5:8080", false, ProbeFailureReason.Refused, TimeSpan.Zero);

        metrics.Write(Snapshot(new Dictionary<PortKey, IReadOnlyList<ProbeResult>> { [Web.Key] = [failing] }, new Dictionary<string, bool>()));
        metrics.Write(Snapshot(new Dictionary<PortKey, IReadOnlyList<ProbeResult>> { [Web.Key] = [failing with { Success = true, Reason = ProbeFailureReason.None }] }, new Dictionary<string, bool>()));
        var recovered = await Exposition.TextAsync(registry);
        metrics.Write(new EvidenceSnapshot(DateTimeOffset.UnixEpoch, ExporterConfig.AutoDiscover, [Web], new Dictionary<string, CollectorStatus>()));
        var missing = await Exposition.TextAsync(registry);

        Assert.Single(Exposition.Samples(recovered, "port_probe_success"));
        Assert.Empty(Exposition.Samples(recovered, "port_probe_failure_reason"));
        Assert.Empty(Exposition.Samples(missing, "port_probe_success"));
        Assert.Empty(Exposition.Samples(missing, "port_probe_duration_seconds"));
    }

    private static EvidenceSnapshot Snapshot(
        Dictionary<PortKey, IReadOnlyList<ProbeResult>> ports, Dictionary<string, bool> vantages, int skipped = 0) =>
        new(DateTimeOffset.UnixEpoch, ExporterConfig.AutoDiscover, [Web, Dns], new Dictionary<string, CollectorStatus>(),
            Probes: new ProbeEvidence(ports, vantages, skipped));
}
