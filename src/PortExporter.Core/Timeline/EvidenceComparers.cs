using System.Globalization;

namespace PortExporter.Core.Timeline;

/// <summary>
/// The table of comparers, one small one per kind of evidence, and the one place where two consecutive collections
/// of a port become timeline events (<see cref="Compare"/>). A part missing on either side is no change. Pure.
/// </summary>
public static class EvidenceComparers
{
    /// <summary>In the order events of one collection are listed: the evidence first, the diagnosis it led to last.</summary>
    public static IReadOnlyList<EvidenceComparer> All { get; } =
    [
        new(EvidenceKind.Firewall, (a, b) => Both(a.Firewall, b.Firewall, FirewallChange)),
        new(EvidenceKind.Listener, (a, b) => Both(a.Listeners, b.Listeners, ListenerChange)),
        new(EvidenceKind.Process, ProcessChange),
        new(EvidenceKind.Unit, (a, b) => Both(a.Unit, b.Unit, (x, y) => x == y ? null : $"unit {x} -> {y}")),
        new(EvidenceKind.Selinux, (a, b) => Both(a.Selinux, b.Selinux, SelinuxChange)),
        new(EvidenceKind.Avc, (a, b) => Both(a.Avc, b.Avc, (x, y) => !x.DeniedSinceStart && y.DeniedSinceStart ? $"first AVC denial since the service started: {y.Description}" : null)),
        new(EvidenceKind.Probe, (a, b) => Both(a.Probes, b.Probes, ProbeChange)),
        new(EvidenceKind.Diagnosis, (a, b) => Both(a.Cause, b.Cause, (x, y) => x == y ? null : DiagnosisChange(x, y))),
    ];

    /// <summary>How the summary of a diagnosis change that made the port ok ends.</summary>
    private const string TurnedOkEnding = " -> ok";

    /// <summary>True for the event of a diagnosis that turned ok: what changed before it cannot have broken the port later.</summary>
    public static bool TurnedOk(TimelineEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Kind == EvidenceKind.Diagnosis && e.Summary.EndsWith(TurnedOkEnding, StringComparison.Ordinal);
    }

    private static string? DiagnosisChange(string before, string after) => before == after ? null : $"diagnosis {before} -> {after}";

    /// <summary>The events between <paramref name="previous"/> and <paramref name="current"/>, all at <paramref name="at"/>; none without a previous collection.</summary>
    public static IReadOnlyList<TimelineEvent> Compare(PortFacts? previous, PortFacts current, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (previous is null)
        {
            return [];
        }

        var events = new List<TimelineEvent>();
        foreach (var comparer in All)
        {
            if (comparer.Describe(previous, current) is { } summary)
            {
                events.Add(new TimelineEvent(at, comparer.Kind, summary));
            }
        }

        return events;
    }

    private static string? Both<T>(T? before, T? after, Func<T, T, string?> describe)
        where T : class =>
        before is null || after is null ? null : describe(before, after);

    private static string? FirewallChange(FirewallFacts before, FirewallFacts after)
    {
        var parts = new List<string>();
        foreach (var now in after.Sources)
        {
            if (before.Sources.FirstOrDefault(s => s.Source == now.Source) is not { } was || (was.Verdict == now.Verdict && was.Rule == now.Rule))
            {
                continue;
            }

            var verdict = was.Verdict == now.Verdict ? now.Verdict : $"{was.Verdict} -> {now.Verdict}";
            var rule = (was.IsRule, now.IsRule) switch
            {
                (false, true) => $"rule `{now.Rule}` added",
                (true, false) => $"rule `{was.Rule}` removed, now {now.Rule}",
                (true, true) => $"rule `{was.Rule}` -> `{now.Rule}`",
                _ => $"{was.Rule} -> {now.Rule}",
            };
            parts.Add($"{now.Source} {verdict} ({rule})");
        }

        parts.AddRange(SetChanges(before, after));
        if (parts.Count == 0)
        {
            return null;
        }

        var generation = before.Generation is { } g0 && after.Generation is { } g1 && g0 != g1
            ? $"; {Firewall.Reading.RulesetChangeSignal.Describe(g0, g1)}"
            : string.Empty;
        return $"{string.Join("; ", parts)}{generation}";
    }

    /// <summary>
    /// The sets a deciding rule of the port looks up, before or after, whose members changed: an address added to an
    /// allowlist shows as "set inet filter allowlist 1 -> 2 elements" even where the verdict stayed as it was.
    /// </summary>
    private static IEnumerable<string> SetChanges(FirewallFacts before, FirewallFacts after)
    {
        if (before.Sets is not { } was || after.Sets is not { } now)
        {
            yield break;
        }

        var looked = before.Sources.Concat(after.Sources).Select(s => s.Set).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var name in looked)
        {
            var b = was.FirstOrDefault(s => s.Set == name);
            var a = now.FirstOrDefault(s => s.Set == name);
            var change = (b, a) switch
            {
                (null, { } added) => string.Create(CultureInfo.InvariantCulture, $"set {name} created ({added.Elements} elements)"),
                ({ } gone, null) => string.Create(CultureInfo.InvariantCulture, $"set {name} deleted (had {gone.Elements} elements)"),
                ({ } x, { } y) when x.Sha256 != y.Sha256 => string.Create(CultureInfo.InvariantCulture, $"set {name} members changed: {x.Elements} -> {y.Elements} elements"),
                _ => null,
            };
            if (change is not null)
            {
                yield return change;
            }
        }
    }

    private static string? ListenerChange(IReadOnlyList<string> before, IReadOnlyList<string> after) =>
        (before.Count, after.Count) switch
        {
            _ when before.SequenceEqual(after, StringComparer.Ordinal) => null,
            (0, _) => $"listener appeared on {string.Join(", ", after)}",
            (_, 0) => $"listener on {string.Join(", ", before)} gone",
            _ => $"listener address {string.Join(", ", before)} -> {string.Join(", ", after)}",
        };

    private static string? ProcessChange(PortFacts before, PortFacts after)
    {
        if (before.ProcessRunning is { } wasRunning && after.ProcessRunning is { } running && wasRunning != running)
        {
            return running ? "process started" : "process stopped";
        }

        if (before.Owners is not { Count: > 0 } was || after.Owners is not { Count: > 0 } now || was.SequenceEqual(now))
        {
            return null;
        }

        var names = was.Select(o => o.Name).Distinct(StringComparer.Ordinal).SequenceEqual(now.Select(o => o.Name).Distinct(StringComparer.Ordinal), StringComparer.Ordinal);
        return names
            ? $"process restarted: {string.Join(", ", was.Select(Describe))} -> pid {string.Join(", ", now.Select(o => o.Pid.ToString(CultureInfo.InvariantCulture)))}"
            : $"process changed: {string.Join(", ", was.Select(Describe))} -> {string.Join(", ", now.Select(Describe))}";
    }

    private static string Describe(OwnerFact owner) => string.Create(CultureInfo.InvariantCulture, $"{owner.Name} pid {owner.Pid}");

    private static string? SelinuxChange(SelinuxFacts before, SelinuxFacts after)
    {
        var parts = new List<string>();
        if (before.Mode != after.Mode)
        {
            parts.Add($"SELinux mode {before.Mode} -> {after.Mode}");
        }

        if (before.PortType != after.PortType)
        {
            parts.Add($"port type {before.PortType ?? "unlabelled"} -> {after.PortType ?? "unlabelled"}");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string? ProbeChange(IReadOnlyList<ProbeFact> before, IReadOnlyList<ProbeFact> after)
    {
        var parts = after
            .Select(now => (now, was: before.FirstOrDefault(b => b.Vantage == now.Vantage)))
            .Where(p => p.was is not null && p.was.Outcome != p.now.Outcome)
            .Select(p => $"{p.now.Vantage} {p.was!.Outcome} -> {p.now.Outcome}")
            .ToList();
        return parts.Count == 0 ? null : $"probe {string.Join("; ", parts)}";
    }
}
