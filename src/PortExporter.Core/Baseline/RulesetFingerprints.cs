using System.Globalization;
using System.Text;
using PortExporter.Firewall;
using PortExporter.Firewall.Model;

namespace PortExporter.Core.Baseline;

/// <summary>
/// A fingerprint per firewall backend: the SHA-256 of a normalised text of its tables. Tables and chains are
/// sorted by name (their order in the tool's output carries no meaning); rules keep their order (it decides).
/// Counters and nftables handles are not part of a rule's text, so traffic and a reload of the same rules leave
/// the fingerprint as it was. A table's named sets are part of it with their members' digest
/// (<see cref="SetContent"/>), so an address added to an allowlist set changes it like a rule does; the ipsets that
/// iptables rules look up are a fingerprint of their own, backend <see cref="FirewallBackends.Ipset"/> (read only
/// while a rule looks one up). Pure.
/// </summary>
public static class RulesetFingerprints
{
    public static IReadOnlyList<RulesetFingerprint> Of(FirewallRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var backends = ruleset.Tables
            .GroupBy(t => t.Backend, StringComparer.Ordinal)
            .Select(g => Fingerprint(g.Key, g))
            .ToList();
        if (ruleset.Ipsets.Count > 0)
        {
            backends.Add(Ipsets(ruleset.Ipsets));
        }

        return [.. backends.OrderBy(f => f.Backend, StringComparer.Ordinal)];
    }

    /// <summary>Characters of normalised text hashed at a time (small enough to stay off the large object heap).</summary>
    private const int DrainChars = 8 * 1024;

    /// <summary>The normalised text a backend's fingerprint is the digest of (shown for review, tested).</summary>
    public static string NormalisedText(IEnumerable<FirewallTable> tables)
    {
        var text = new StringBuilder();
        Normalise(tables, text, static _ => { });
        return text.ToString();
    }

    /// <summary>
    /// Writes the normalised text into <paramref name="text"/>, handing it to <paramref name="drain"/> whenever it
    /// holds <see cref="DrainChars"/> or more (which may empty it), and once more at the end.
    /// </summary>
    private static void Normalise(IEnumerable<FirewallTable> tables, StringBuilder text, Action<StringBuilder> drain)
    {
        foreach (var table in Sorted(tables))
        {
            text.Append("table ").Append(table.Family.ToLabel()).Append(' ').Append(table.Name).Append('\n');
            foreach (var set in table.Sets)
            {
                AppendSet(text, set);
            }

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
                    rule.AppendText(text.Append("  ")).Append('\n');
                    if (text.Length >= DrainChars)
                    {
                        drain(text);
                    }
                }
            }
        }

        drain(text);
    }

    private static IOrderedEnumerable<FirewallTable> Sorted(IEnumerable<FirewallTable> tables) =>
        tables.OrderBy(t => t.Family.ToLabel(), StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal);

    private static void AppendSet(StringBuilder text, SetContent set) =>
        text.Append(CultureInfo.InvariantCulture, $"set {set.Name} elements {set.Elements} sha256 {set.Sha256}\n");

    private static RulesetFingerprint Fingerprint(string backend, IEnumerable<FirewallTable> tables)
    {
        var list = tables.ToList();
        var sets = Sorted(list)
            .SelectMany(t => t.Sets.Select(s => new SetFingerprint($"{t.Family.ToLabel()} {t.Name} {s.Name}", s.Sha256, s.Elements)))
            .ToList();
        return new RulesetFingerprint(backend, Digest(list), list.Sum(t => t.Chains.Values.Sum(c => c.Rules.Count)), sets);
    }

    private static RulesetFingerprint Ipsets(IReadOnlyList<SetContent> ipsets)
    {
        var text = new StringBuilder();
        foreach (var set in ipsets.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            AppendSet(text, set);
        }

        return new RulesetFingerprint(FirewallBackends.Ipset, Digest(text.ToString()), 0, [.. ipsets.Select(s => new SetFingerprint(s.Name, s.Sha256, s.Elements)).OrderBy(s => s.Set, StringComparer.Ordinal)]);
    }

    private static string Digest(string text) => ContentHash.Sha256Hex(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// The digest of the tables' normalised text, hashed as it is written: at 10k rules the text is 1 MB of characters,
    /// and as one string and its UTF-8 bytes it would be 3 MB of large objects on every refresh, which only a full
    /// collection frees. The same digest as of <see cref="NormalisedText"/> (the encoder carries a character pair
    /// split between two drains).
    /// </summary>
    private static string Digest(IEnumerable<FirewallTable> tables)
    {
        var hash = ContentHash.Sha256Incremental();
        var encoder = Encoding.UTF8.GetEncoder();
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(DrainChars)];
        var text = new StringBuilder();
        Normalise(tables, text, written =>
        {
            foreach (var chunk in written.GetChunks())
            {
                var chars = chunk.Span;
                while (!chars.IsEmpty)
                {
                    // A rule's text may be longer than a drain: encoded a buffer at a time.
                    var take = Math.Min(chars.Length, DrainChars);
                    var count = encoder.GetBytes(chars[..take], bytes, flush: false);
                    hash.Append(bytes.AsSpan(0, count));
                    chars = chars[take..];
                }
            }

            written.Clear();
        });
        var tail = encoder.GetBytes(ReadOnlySpan<char>.Empty, bytes, flush: true);
        hash.Append(bytes.AsSpan(0, tail));
        return hash.FinishHex();
    }
}
