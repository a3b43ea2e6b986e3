using System.Globalization;

namespace PortExporter.Core.Firewall.Reading;

/// <summary>
/// The change signal the firewall collector reads on every scrape: the nf_tables generation id
/// (<see cref="NftablesGenerationSignal"/>) in the token's low 32 bits and, while legacy x_tables exist, the digest of
/// their shapes (<see cref="LegacyTablesSignal"/>) in its high 32 bits. Either moving moves the token. Covers every
/// change only where the nftables signal does (legacy tables and ipsets make it incomplete). Thread-safe.
/// </summary>
public sealed class RulesetChangeSignal : IRulesetChangeSignal
{
    private readonly NftablesGenerationSignal _nftables = new();
    private readonly LegacyTablesSignal _legacy = new();

    public ulong? Read() => Token(_nftables.Read(), _legacy.Read());

    public bool CoversAllChanges() => _nftables.CoversAllChanges();

    /// <summary>The token of an nf_tables generation and a legacy tables digest; null when neither is known.</summary>
    public static ulong? Token(ulong? generation, uint? legacy) =>
        generation is null && legacy is null ? null : ((ulong)(legacy ?? 0) << 32) | ((generation ?? 0) & uint.MaxValue);

    /// <summary>What moved between two tokens, in words: "ruleset generation 41 -> 42", "legacy tables changed"; empty when neither did.</summary>
    public static string Describe(ulong before, ulong after)
    {
        var parts = new List<string>(2);
        if ((uint)before != (uint)after)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"ruleset generation {(uint)before} -> {(uint)after}"));
        }

        if (before >> 32 != after >> 32)
        {
            parts.Add("legacy tables changed");
        }

        return string.Join("; ", parts);
    }
}
