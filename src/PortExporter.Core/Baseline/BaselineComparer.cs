using PortExporter.Firewall;

namespace PortExporter.Core.Baseline;

/// <summary>
/// Compares a baseline with the live host's surface into <see cref="DriftItem"/>s: one small comparison per drift
/// kind, each given the port as it was and as it is. Items come out in a fixed order (rulesets, then ports by
/// port and protocol, then kind), so the same pair of surfaces always gives the same list. Pure.
/// </summary>
public static class BaselineComparer
{
    private delegate IEnumerable<string> PortComparison(PortSurface was, PortSurface now);

    private static readonly (DriftKind Kind, PortComparison Compare)[] Comparisons =
    [
        (DriftKind.Intent, Intent),
        (DriftKind.Listener, Listener),
        (DriftKind.Bind, Bind),
        (DriftKind.Process, Process),
        (DriftKind.Verdict, Verdict),
        (DriftKind.Selinux, Selinux),
        (DriftKind.Path, Path),
    ];

    public static IReadOnlyList<DriftItem> Compare(SurfaceBaseline baseline, SurfaceBaseline live)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(live);
        var items = new List<DriftItem>();
        items.AddRange(Rulesets(baseline.Rulesets, live.Rulesets));
        var was = baseline.Ports.ToDictionary(p => p.Key);
        var now = live.Ports.ToDictionary(p => p.Key);
        foreach (var key in was.Keys.Union(now.Keys).OrderBy(k => k.Port).ThenBy(k => k.Protocol))
        {
            switch ((was.GetValueOrDefault(key), now.GetValueOrDefault(key)))
            {
                case (null, { } added):
                    items.Add(new DriftItem(key, added.Service, DriftKind.NewPort, $"new port, not in the baseline: {Describe(added)}"));
                    break;
                case ({ } gone, null):
                    items.Add(new DriftItem(key, gone.Service, DriftKind.GonePort, $"gone: no longer watched (was {Describe(gone)})"));
                    break;
                case ({ } before, { } after):
                    foreach (var (kind, compare) in Comparisons)
                    {
                        items.AddRange(compare(before, after).Select(change => new DriftItem(key, after.Service, kind, change)));
                    }

                    break;
            }
        }

        return items;
    }

    private static IEnumerable<DriftItem> Rulesets(IReadOnlyList<RulesetFingerprint> was, IReadOnlyList<RulesetFingerprint> now)
    {
        var before = was.ToDictionary(r => r.Backend, StringComparer.Ordinal);
        var after = now.ToDictionary(r => r.Backend, StringComparer.Ordinal);
        foreach (var backend in before.Keys.Union(after.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var change = (before.GetValueOrDefault(backend), after.GetValueOrDefault(backend)) switch
            {
                (null, { } a) => $"ruleset {backend} appeared ({a.Rules} rules, sha256 {Short(a.Sha256)})",
                ({ } b, null) => $"ruleset {backend} gone (was {b.Rules} rules, sha256 {Short(b.Sha256)})",
                ({ } b, { } a) when b.Sha256 != a.Sha256 && backend == FirewallBackends.Ipset => $"ipset changed{SetChanges(": ", b.Sets, a.Sets)}",
                ({ } b, { } a) when b.Sha256 != a.Sha256 => $"ruleset {backend} changed: {b.Rules} rules, sha256 {Short(b.Sha256)} -> {a.Rules} rules, sha256 {Short(a.Sha256)}{SetChanges("; ", b.Sets, a.Sets)}",
                _ => null,
            };
            if (change is not null)
            {
                yield return new DriftItem(null, backend, DriftKind.Ruleset, change);
            }
        }
    }

    /// <summary><paramref name="prefix"/> and "set inet filter allowlist 1 -> 2 elements (sha256 ...)" for each set that changed, appeared or went; empty when none did.</summary>
    private static string SetChanges(string prefix, IReadOnlyList<SetFingerprint> was, IReadOnlyList<SetFingerprint> now)
    {
        var before = was.ToDictionary(s => s.Set, StringComparer.Ordinal);
        var after = now.ToDictionary(s => s.Set, StringComparer.Ordinal);
        var changes = before.Keys.Union(after.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(name => (before.GetValueOrDefault(name), after.GetValueOrDefault(name)) switch
            {
                (null, { } a) => $"set {name} added ({a.Elements} elements)",
                ({ } b, null) => $"set {name} removed (had {b.Elements} elements)",
                ({ } b, { } a) when b.Sha256 != a.Sha256 => $"set {name} {b.Elements} -> {a.Elements} elements (sha256 {Short(b.Sha256)} -> {Short(a.Sha256)})",
                _ => null,
            })
            .OfType<string>()
            .ToList();
        return changes.Count == 0 ? string.Empty : prefix + string.Join("; ", changes);
    }

    private static IEnumerable<string> Intent(PortSurface was, PortSurface now)
    {
        if (was.Expose != now.Expose || was.Origin != now.Origin)
        {
            yield return $"intent {was.Expose} ({was.Origin}) -> {now.Expose} ({now.Origin})";
        }

        if (was.Service != now.Service)
        {
            yield return $"service {was.Service} -> {now.Service}";
        }
    }

    private static IEnumerable<string> Listener(PortSurface was, PortSurface now)
    {
        if (was.Listeners.Count > 0 && now.Listeners.Count == 0)
        {
            yield return $"listener gone: nothing listens (was {Listeners(was)})";
        }
        else if (was.Listeners.Count == 0 && now.Listeners.Count > 0)
        {
            yield return $"listener appeared: {Listeners(now)} (nothing listened)";
        }
    }

    private static IEnumerable<string> Bind(PortSurface was, PortSurface now)
    {
        var before = Addresses(was);
        var after = Addresses(now);
        if (was.Listeners.Count > 0 && now.Listeners.Count > 0 && before != after)
        {
            yield return $"bind {before} -> {after}";
        }
    }

    private static IEnumerable<string> Process(PortSurface was, PortSurface now)
    {
        var before = Processes(was);
        var after = Processes(now);
        if (was.Listeners.Count > 0 && now.Listeners.Count > 0 && before != after)
        {
            yield return $"process {before} -> {after}";
        }

        if (was.Unit != now.Unit)
        {
            yield return $"unit {was.Unit} -> {now.Unit}";
        }
    }

    private static IEnumerable<string> Verdict(PortSurface was, PortSurface now)
    {
        var after = now.Verdicts.ToDictionary(v => v.Source, StringComparer.Ordinal);
        foreach (var before in was.Verdicts)
        {
            if (!after.TryGetValue(before.Source, out var current))
            {
                yield return $"{before.Source} verdict {before.Verdict} -> {BaselineFormat.Unknown}";
            }
            else if (before.Verdict != current.Verdict)
            {
                yield return $"{before.Source} verdict {before.Verdict} -> {current.Verdict} ({Rule(current)})";
            }
            else if (before.Rule != current.Rule || before.Chain != current.Chain)
            {
                yield return $"{before.Source} verdict {current.Verdict}, now by another rule: {Rule(before)} -> {Rule(current)}";
            }
        }
    }

    private static IEnumerable<string> Selinux(PortSurface was, PortSurface now)
    {
        if (was.SelinuxType != now.SelinuxType)
        {
            yield return $"selinux port type {was.SelinuxType} -> {now.SelinuxType}";
        }
    }

    private static IEnumerable<string> Path(PortSurface was, PortSurface now)
    {
        if (!was.Paths.SequenceEqual(now.Paths, StringComparer.Ordinal))
        {
            yield return $"path {Paths(was)} -> {Paths(now)}";
        }
    }

    private static string Describe(PortSurface port)
    {
        var outside = port.Verdicts.FirstOrDefault(v => v.Source == BaselineFormat.Outside)?.Verdict ?? BaselineFormat.Unknown;
        return $"service {port.Service}, expose {port.Expose}, {(port.Listeners.Count == 0 ? "no listener" : "listening on " + Listeners(port))}, outside {outside}";
    }

    private static string Rule(VerdictSurface v) => v.Rule.Length == 0 ? "no rule" : $"rule `{v.Rule}`";

    private static string Listeners(PortSurface port) => string.Join(", ", port.Listeners.Select(l => $"{l.Address} ({l.Process})"));

    private static string Addresses(PortSurface port) => string.Join(", ", port.Listeners.Select(l => $"{l.Address} ({l.Scope})").Distinct(StringComparer.Ordinal));

    private static string Processes(PortSurface port) => string.Join(", ", port.Listeners.Select(l => l.Process).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    private static string Paths(PortSurface port) => port.Paths.Count == 0 ? "(none)" : string.Join(", ", port.Paths);

    private static string Short(string sha256) => sha256[..12];
}
