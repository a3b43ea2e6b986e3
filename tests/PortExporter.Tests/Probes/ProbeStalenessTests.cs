using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Metrics;
using PortExporter.Core.Probes;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Probes;

/// <summary>
/// Scheduled probe results in the diagnosis and the series: results of a round younger than two
/// <c>probes.interval</c>s are evidence; older ones, none yet, or none for a newly watched port are missing evidence,
/// named so in the diagnosis; the stale results leave /metrics while their round's timestamp stays.
/// </summary>
public sealed class ProbeStalenessTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Results_just_under_two_intervals_old_are_evidence()
    {
        var diagnosis = Diagnoser.Diagnose(WebPort, Scheduled(Now - (2 * Interval) + TimeSpan.FromMilliseconds(1), Probe("loopback", true), Probe("external", false, ProbeFailureReason.Timeout)));

        Assert.Equal(Cause.NatOrUpstream, diagnosis.Cause);
    }

    [Fact]
    public void Results_two_intervals_old_are_stale_and_the_diagnosis_says_so_instead_of_blaming_nat()
    {
        var diagnosis = Diagnoser.Diagnose(WebPort, Scheduled(Now - (2 * Interval), Probe("loopback", true), Probe("external", false, ProbeFailureReason.Timeout)));

        Assert.Equal(Cause.Unknown, diagnosis.Cause);
        Assert.DoesNotContain(Cause.NatOrUpstream, diagnosis.Findings);
        var missing = Assert.Single(diagnosis.Missing);
        Assert.Equal("probes: probe evidence stale (the last probe round ended 30s ago, more than 2 x probes.interval 15s)", missing);
        Assert.Contains("stale", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Steps, s => s is { Check: "probes", Status: StepStatus.Missing } && s.Observed.Contains("stale", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stale_outside_success_does_not_make_an_internal_port_exposed()
    {
        var port = WebPort with { Expose = Core.Configuration.PortExpose.Internal };
        var fresh = Scheduled(Now - TimeSpan.FromSeconds(1), Probe("loopback", true), Probe("outside", true)) with { Ports = [port], Firewall = null };
        var stale = fresh with { Probes = fresh.Probes! with { RoundAt = Now - (2 * Interval) } };

        Assert.Equal(Cause.Exposed, Diagnoser.Diagnose(port, fresh).Cause);
        Assert.NotEqual(Cause.Exposed, Diagnoser.Diagnose(port, stale).Cause);
    }

    [Fact]
    public void Before_the_first_round_the_probes_are_not_evidence_and_not_a_failure()
    {
        var evidence = Healthy() with { TakenAt = Now, Probes = ProbeEvidence.NoRoundYet };

        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);

        Assert.Equal(Cause.Unknown, diagnosis.Cause);
        Assert.Equal("probes: probe evidence not probed yet (no probe round has ended since start)", Assert.Single(diagnosis.Missing));
    }

    [Fact]
    public void A_port_watched_since_the_last_round_has_no_probe_evidence_yet()
    {
        var evidence = Scheduled(Now - TimeSpan.FromSeconds(1)) with
        {
            Probes = new ProbeEvidence(new Dictionary<PortKey, IReadOnlyList<ProbeResult>>(), new Dictionary<string, bool>()) { RoundAt = Now - TimeSpan.FromSeconds(1) },
        };

        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);

        Assert.Equal(Cause.Unknown, diagnosis.Cause);
        Assert.Contains("not gathered yet", Assert.Single(diagnosis.Missing), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_results_leave_the_series_and_the_timestamp_of_their_round_stays()
    {
        var roundAt = Now - (2 * Interval);
        var fresh = Scheduled(Now - Interval, Probe("loopback", true));
        var stale = Scheduled(roundAt, Probe("loopback", true));

        var freshText = await WriteAsync(fresh);
        var staleText = await WriteAsync(stale);

        Assert.Single(Exposition.Samples(freshText, "port_probe_success"));
        Assert.Equal([$"port_probe_last_run_timestamp_seconds{{vantage=\"loopback\"}} {(Now - Interval).ToUnixTimeSeconds()}"], Exposition.Samples(freshText, "port_probe_last_run_timestamp_seconds"));
        Assert.Empty(Exposition.Samples(staleText, "port_probe_success"));
        Assert.Equal([$"port_probe_last_run_timestamp_seconds{{vantage=\"loopback\"}} {roundAt.ToUnixTimeSeconds()}"], Exposition.Samples(staleText, "port_probe_last_run_timestamp_seconds"));
        Assert.Empty(await Exposition.LintAsync(staleText));
    }

    private static async Task<string> WriteAsync(EvidenceSnapshot snapshot)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        new ProbeMetrics(Prometheus.Metrics.WithCustomRegistry(registry)).Write(snapshot);
        return await Exposition.TextAsync(registry);
    }

    /// <summary>The healthy snapshot taken <see cref="Now"/>, with the results of a scheduled round that ended at <paramref name="roundAt"/>.</summary>
    private static EvidenceSnapshot Scheduled(DateTimeOffset roundAt, params ProbeResult[] results) => Healthy() with
    {
        TakenAt = Now,
        Probes = ProbesOf(results) with
        {
            RoundAt = roundAt,
            LastAnswered = results.Select(r => r.Vantage).Distinct().ToDictionary(v => v, _ => roundAt),
        },
    };
}
