namespace PortExporter.Firewall.Evaluation;

/// <summary>
/// The verdict of a connection that a random choice (<see cref="Model.RandomChoice"/>) sends one of two ways: each way
/// happens to some connections. When both give the same verdict it stands, and every address they forward to is kept
/// (<see cref="FirewallDecision.ForwardedToChoices"/>), so each endpoint behind a load-balancing chain can be checked.
/// When they differ the way that blocks decides (some connections fail), an unknown way makes it unknown. Pure.
/// </summary>
internal static class RandomOutcomes
{
    private const string Dnat = "dnat ";

    public static FirewallEvaluation Either(FirewallEvaluation taken, FirewallEvaluation skipped, string choice)
    {
        var targets = taken.Decision.ForwardTargets.Concat(skipped.Decision.ForwardTargets).Distinct().ToList();
        var (a, b) = (taken.Decision.Verdict, skipped.Decision.Verdict);
        var chosen = a == b ? taken
            : a == FirewallVerdict.Unknown ? taken
            : b == FirewallVerdict.Unknown ? skipped
            : taken.Decision.Blocks ? taken
            : skipped;
        // An unknown way keeps no list: where the connection goes is not known.
        var decision = chosen.Decision with { ForwardedToChoices = targets.Count > 1 && chosen.Decision.Verdict != FirewallVerdict.Unknown ? targets : null };
        if (a == b && MergedPath(taken.Decision.Path, skipped.Decision.Path) is { } path)
        {
            decision = decision with { Path = path };
        }

        if (a != b && chosen.Decision.Verdict != FirewallVerdict.Unknown)
        {
            var other = chosen == taken ? b : a;
            decision = decision with
            {
                Detail = $"a random choice ({choice}) sends some connections this way, where they are {Word(chosen.Decision.Verdict)}; the others are {Word(other)}",
            };
        }

        return chosen with { Decision = decision };
    }

    /// <summary>
    /// Two paths that differ only in where the DNAT sent the connection, as one: <c>prerouting -> dnat 10.244.1.5:8080
    /// | 10.244.2.7:8080 -> forward out cni0 -> ...</c>; null when they differ otherwise (the chosen way's path stays).
    /// </summary>
    private static string? MergedPath(string? first, string? second)
    {
        if (first is null || second is null)
        {
            return null;
        }

        var (x, y) = (first.Split(" -> "), second.Split(" -> "));
        var differ = Enumerable.Range(0, x.Length).Where(i => i >= y.Length || x[i] != y[i]).ToList();
        if (x.Length != y.Length || differ.Count != 1 || !x[differ[0]].StartsWith(Dnat, StringComparison.Ordinal) || !y[differ[0]].StartsWith(Dnat, StringComparison.Ordinal))
        {
            return differ.Count == 0 ? first : null;
        }

        x[differ[0]] = $"{x[differ[0]]} | {y[differ[0]][Dnat.Length..]}";
        return string.Join(" -> ", x);
    }

    private static string Word(FirewallVerdict verdict) => verdict switch
    {
        FirewallVerdict.Accept => "accepted",
        FirewallVerdict.Drop => "dropped",
        FirewallVerdict.Reject => "rejected",
        _ => "unknown",
    };
}
