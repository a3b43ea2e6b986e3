using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PortExporter.Firewall.Model;

namespace PortExporter.Core.Baseline;

/// <summary>
/// A fingerprint per firewall backend: the SHA-256 of a normalised text of its tables. Tables and chains are
/// sorted by name (their order in the tool's output carries no meaning); rules keep their order (it decides).
/// Counters and nftables handles are not part of a rule's text, so traffic and a reload of the same rules leave
/// the fingerprint as it was. Pure.
/// </summary>
public static class RulesetFingerprints
{
    public static IReadOnlyList<RulesetFingerprint> Of(FirewallRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        return [.. ruleset.Tables
            .GroupBy(t => t.Backend, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Fingerprint(g.Key, g))];
    }

    /// <summary>The normalised text a backend's fingerprint is the digest of (shown for review, tested).</summary>
    public static string NormalisedText(IEnumerable<FirewallTable> tables)
    {
        var text = new StringBuilder();
        foreach (var table in tables.OrderBy(t => t.Family.ToLabel(), StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            text.Append("table ").Append(table.Family.ToLabel()).Append(' ').Append(table.Name).Append('\n');
            foreach (var chain in table.Chains.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                text.Append("chain ").Append(chain.Name);
                if (chain.BaseHook is { } hook)
                {
                    text.Append(CultureInfo.InvariantCulture, $" type {hook.Type} hook {hook.Hook} priority {hook.Priority} policy {(hook.PolicyDrops ? "drop" : "accept")}");
                    if (hook.Devices is { Count: > 0 } devices)
                    {
                        text.Append(" devices ").AppendJoin(',', devices.Order(StringComparer.Ordinal));
                    }
                }

                text.Append('\n');
                foreach (var rule in chain.Rules)
                {
                    text.Append("  ").Append(rule.Text).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static RulesetFingerprint Fingerprint(string backend, IEnumerable<FirewallTable> tables)
    {
        var list = tables.ToList();
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(NormalisedText(list)));
        return new RulesetFingerprint(backend, Convert.ToHexStringLower(digest), list.Sum(t => t.Chains.Values.Sum(c => c.Rules.Count)));
    }
}
