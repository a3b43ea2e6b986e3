namespace PortExporter.Core.Probes;

/// <summary>The probe collector's result.</summary>
/// <param name="Ports">Per watched port, every probe run for it in the round.</param>
/// <param name="VantageUp">Per configured remote vantage: whether it answered. A vantage that was not asked (its
/// request could not start before the round's deadline) has no entry.</param>
/// <param name="Skipped">Probes and remote requests that could not start before the round's deadline: raise
/// <c>probes.concurrency</c> or lower <c>probes.timeout</c> when this is not zero.</param>
public sealed record ProbeEvidence(
    IReadOnlyDictionary<PortKey, IReadOnlyList<ProbeResult>> Ports,
    IReadOnlyDictionary<string, bool> VantageUp,
    int Skipped = 0)
{
    /// <summary>A probe result this many <c>probes.interval</c>s old (or older) is stale: no evidence.</summary>
    public const int StaleAfterIntervals = 2;

    /// <summary>
    /// When the scheduled probe round that found these results ended; null when they were probed within the
    /// collection itself (the one-shot <c>diagnose</c> verb), which makes them as fresh as the collection.
    /// </summary>
    public DateTimeOffset? RoundAt { get; init; }

    /// <summary>
    /// Per vantage (loopback, internal, external, each configured remote one), when the latest scheduled round that
    /// got results from it ended (<c>port_probe_last_run_timestamp_seconds</c>); empty when probed within the collection.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LastAnswered { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>Per configured <c>probe_targets</c> entry (by name), its probe in the round; empty when not asked for.</summary>
    public IReadOnlyDictionary<string, ProbeResult> Targets { get; init; } = new Dictionary<string, ProbeResult>();

    /// <summary>True when no scheduled probe round has ended yet (just after start): no evidence, not a failure.</summary>
    public bool Pending { get; init; }

    /// <summary>No round has ended yet.</summary>
    public static ProbeEvidence NoRoundYet { get; } = new(new Dictionary<PortKey, IReadOnlyList<ProbeResult>>(), new Dictionary<string, bool>()) { Pending = true };

    /// <summary>
    /// Why these results are no evidence at <paramref name="now"/> for a schedule of <paramref name="interval"/>:
    /// no round has ended yet, or the last one ended <see cref="StaleAfterIntervals"/> intervals ago or more;
    /// null when they are evidence.
    /// </summary>
    public string? WhyNotEvidence(DateTimeOffset now, TimeSpan interval)
    {
        if (Pending)
        {
            return "not probed yet (no probe round has ended since start)";
        }

        if (RoundAt is { } at && now - at >= StaleAfterIntervals * interval)
        {
            return $"stale (the last probe round ended {Seconds(now - at)} ago, more than {StaleAfterIntervals} x probes.interval {Seconds(interval)})";
        }

        return null;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "s";
}
