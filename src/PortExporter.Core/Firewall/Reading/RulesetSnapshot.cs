using PortExporter.Firewall.Firewalld;
using PortExporter.Firewall.Model;

namespace PortExporter.Core.Firewall.Reading;

/// <summary>One read of the host's firewall: the compiled ruleset and what else was found. Immutable.</summary>
/// <param name="Ruleset">All tables of all backends.</param>
/// <param name="Backends">Backends with at least one table, plus <c>firewalld</c> when it runs.</param>
/// <param name="Firewalld">firewalld's zones and services when it runs, else null.</param>
/// <param name="TakenAt">When the read started.</param>
/// <param name="ReadDuration">How long the commands took.</param>
public sealed record RulesetSnapshot(
    FirewallRuleset Ruleset, IReadOnlyList<string> Backends, FirewalldConfiguration? Firewalld, DateTimeOffset TakenAt, TimeSpan ReadDuration)
{
    /// <summary>Rules taken as the previous read compiled them (unchanged but for counters and position).</summary>
    public int RulesReused { get; init; }

    /// <summary>Rules this read compiled.</summary>
    public int RulesCompiled { get; init; }
}
