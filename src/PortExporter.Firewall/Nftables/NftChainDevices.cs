using System.Text.RegularExpressions;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

/// <summary>
/// The devices of ingress base chains, from <c>nft list chains</c>. nft 1.0.6's JSON leaves a chain's
/// <c>device</c> out, so without this an ingress chain (netdev, or inet since Linux 5.10) might or might not be on a
/// connection's path; the text form always prints <c>device "eth0"</c> or <c>devices = { eth0, eth1 }</c>.
/// </summary>
public static partial class NftChainDevices
{
    /// <summary>True when the ruleset has an ingress base chain whose devices the JSON did not give.</summary>
    public static bool Missing(NftRuleset ruleset) =>
        ruleset.Tables.Any(t => t.Chains.Values.Any(c => c.BaseHook is { Hook: NetfilterHook.Ingress, Devices: null }));

    /// <summary>
    /// Devices by (family, table, chain) for every base chain the text names a device for. Lines it does not know
    /// are skipped; a device line outside a table and chain is an error.
    /// </summary>
    public static IReadOnlyDictionary<(TableFamily Family, string Table, string Chain), IReadOnlyList<string>> Parse(string text, string source = "nft list chains")
    {
        var devices = new Dictionary<(TableFamily, string, string), IReadOnlyList<string>>();
        (TableFamily Family, string Name)? table = null;
        string? chain = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (TableLine().Match(line) is { Success: true } t)
            {
                table = TableFamilyNames.TryParse(t.Groups[1].Value, out var family) ? (family, Unquote(t.Groups[2].Value)) : null;
                chain = null;
            }
            else if (ChainLine().Match(line) is { Success: true } c)
            {
                chain = Unquote(c.Groups[1].Value);
            }
            else if (line.StartsWith("type ", StringComparison.Ordinal) && line.Contains(" hook ", StringComparison.Ordinal))
            {
                var names = DeviceNames(line);
                if (names is null)
                {
                    continue;
                }

                if (table is not { } where || chain is null)
                {
                    throw new FirewallParseException(source, $"line {lineNumber}", "a chain's hook line outside a table and chain", line);
                }

                devices[(where.Family, where.Name, chain)] = names;
            }
        }

        return devices;
    }

    /// <summary>The ruleset with the devices of <paramref name="devices"/> filled into the ingress chains that lacked them.</summary>
    public static NftRuleset Apply(NftRuleset ruleset, IReadOnlyDictionary<(TableFamily Family, string Table, string Chain), IReadOnlyList<string>> devices)
    {
        var tables = ruleset.Tables.Select(table =>
        {
            var changed = false;
            var chains = new Dictionary<string, FirewallChain>(StringComparer.Ordinal);
            foreach (var (name, chain) in table.Chains)
            {
                if (chain.BaseHook is { Hook: NetfilterHook.Ingress, Devices: null } hook && devices.TryGetValue((table.Family, table.Name, name), out var found))
                {
                    chains[name] = chain with { BaseHook = hook with { Devices = found } };
                    changed = true;
                }
                else
                {
                    chains[name] = chain;
                }
            }

            return changed ? table with { Chains = chains } : table;
        }).ToList();
        return ruleset with { Tables = tables };
    }

    private static List<string>? DeviceNames(string line)
    {
        if (DevicesLine().Match(line) is { Success: true } many)
        {
            return [.. many.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Unquote)];
        }

        return DeviceLine().Match(line) is { Success: true } one ? [Unquote(one.Groups[1].Value)] : null;
    }

    private static string Unquote(string text) => text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : text;

    [GeneratedRegex("""^table\s+(\S+)\s+("[^"]*"|\S+)\s*\{$""")]
    private static partial Regex TableLine();

    [GeneratedRegex("""^chain\s+("[^"]*"|\S+)\s*\{$""")]
    private static partial Regex ChainLine();

    [GeneratedRegex("""\bdevices\s*=\s*\{([^}]*)\}""")]
    private static partial Regex DevicesLine();

    [GeneratedRegex("""\bdevice\s+("[^"]*"|[^\s;]+)""")]
    private static partial Regex DeviceLine();
}
