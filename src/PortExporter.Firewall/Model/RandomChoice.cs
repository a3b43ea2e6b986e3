namespace PortExporter.Firewall.Model;

/// <summary>
/// A match the kernel decides by chance for each new connection: iptables <c>-m statistic --mode random</c> or
/// <c>--mode nth</c>, nft <c>numgen</c>. Not unknown: each outcome happens to some connections, so the evaluator
/// follows both (every endpoint a load-balancing chain can pick) rather than calling the verdict unknown.
/// </summary>
/// <param name="description">The match as the ruleset says it, for the verdict's detail.</param>
public sealed class RandomChoiceMatch(string description) : RuleMatch
{
    public string Description { get; } = description;

    /// <summary>Neither yes nor no: the walk forks on it (see <see cref="RandomChoice.Decides"/>).</summary>
    public override MatchResult Evaluate(PacketState packet) => MatchResult.Unknown;
}

/// <summary>Which rules and verdict maps choose at random.</summary>
public static class RandomChoice
{
    /// <summary>
    /// True when the only thing that keeps <paramref name="rule"/>'s matches from a yes or no is a random choice: every
    /// match is understood and one is a <see cref="RandomChoiceMatch"/> or a comparison of <see cref="PacketField.RandomNumber"/>.
    /// </summary>
    public static bool Decides(FirewallRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.UnknownReason is null && rule.Matches.Any(m => m is RandomChoiceMatch or FieldMatch { Field: PacketField.RandomNumber });
    }

    /// <summary>True when <paramref name="map"/>'s key is a random number (<c>numgen ... vmap</c>).</summary>
    public static bool Decides(VerdictMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.Keys.Contains(PacketField.RandomNumber);
    }

    /// <summary>
    /// True when <paramref name="map"/> is keyed on the random number alone and its elements hold every value the
    /// number can take (<see cref="VerdictMap.RandomRange"/>), as kube-proxy's <c>numgen random mod N vmap { 0 : ..., N-1 : ... }</c>:
    /// the last element is then taken whenever the others were not.
    /// </summary>
    public static bool CoversEveryDraw(VerdictMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Keys is not [PacketField.RandomNumber] || map.RandomRange is not { } range || range.High - range.Low >= MaxDrawsChecked)
        {
            return false;
        }

        var sets = map.Entries.Select(e => e.Key[0]).OfType<NumericValues>().Select(v => v.Set).ToList();
        for (var draw = range.Low; draw <= range.High; draw++)
        {
            if (!sets.Any(s => s.Contains(draw)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A numgen modulus up to this is checked value by value; a larger one is not assumed complete.</summary>
    private const int MaxDrawsChecked = 4096;
}
