using PortExporter.Firewall;
using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;
using PortExporter.Firewall.Ufw;

namespace PortExporter.Core.Firewall.Reading;

/// <summary>
/// Puts the dumps of all backends together into one <see cref="FirewallRuleset"/>, reading each table from the
/// source that describes it fully: native nftables tables from <c>nft -j</c>; tables with <c>xt</c> expressions
/// (made by iptables-nft, whose multiport/conntrack/REJECT details <c>nft -j</c> cannot print) from
/// <c>iptables-nft-save</c> / <c>ip6tables-nft-save</c>, in the same place; tables iptables-nft made of plain rules (no
/// <c>xt</c>) as nft reads them, under iptables-nft's backend (<see cref="IptablesNftTables"/>); legacy x_tables after them. Pure.
/// </summary>
public static class RulesetAssembler
{
    /// <param name="nft">Parsed <c>nft -j list ruleset</c>, or null when nft is absent.</param>
    /// <param name="iptablesNftSave">Output of <c>iptables-nft-save -c</c>, or null when not run / absent.</param>
    /// <param name="ip6tablesNftSave">Output of <c>ip6tables-nft-save -c</c>, or null.</param>
    /// <param name="iptablesLegacySave">Output of <c>iptables-legacy-save -c</c>, or null.</param>
    /// <param name="ip6tablesLegacySave">Output of <c>ip6tables-legacy-save -c</c>, or null.</param>
    /// <param name="sets">Parsed <c>ipset save</c>, which <c>-m set</c> rules look up; null when not read.</param>
    /// <param name="reuse">The rules an earlier read compiled (<see cref="CompiledRuleCache"/>); null compiles every rule.</param>
    /// <returns>The ruleset and the backends that contributed at least one table, in a fixed order, then <c>ufw</c> when
    /// ufw is enabled on it.</returns>
    public static (FirewallRuleset Ruleset, IReadOnlyList<string> Backends) Assemble(
        NftRuleset? nft, string? iptablesNftSave, string? ip6tablesNftSave, string? iptablesLegacySave, string? ip6tablesLegacySave, IpsetCatalog? sets = null, CompiledRuleSession? reuse = null)
    {
        var replacements = new Dictionary<(TableFamily, string), FirewallTable>();
        if (iptablesNftSave is not null)
        {
            foreach (var t in IptablesSaveParser.Parse(iptablesNftSave, FirewallBackends.IptablesNft, 4, "iptables-nft-save -c", sets: sets, reuse: reuse))
            {
                replacements[(TableFamily.Ip, t.Name)] = t;
            }
        }

        if (ip6tablesNftSave is not null)
        {
            foreach (var t in IptablesSaveParser.Parse(ip6tablesNftSave, FirewallBackends.Ip6tablesNft, 6, "ip6tables-nft-save -c", sets: sets, reuse: reuse))
            {
                replacements[(TableFamily.Ip6, t.Name)] = t;
            }
        }

        var tables = new List<FirewallTable>();
        if (nft is not null)
        {
            var xt = nft.TablesWithXt.ToHashSet();
            foreach (var table in nft.Tables)
            {
                var key = (table.Family, table.Name);
                tables.Add(xt.Contains(key) && replacements.TryGetValue(key, out var replacement) ? replacement
                    : IptablesNftTables.Made(table) ? table with { Backend = IptablesNftTables.Backend(table.Family)! }
                    : table);
            }
        }

        if (iptablesLegacySave is not null)
        {
            tables.AddRange(IptablesSaveParser.Parse(iptablesLegacySave, FirewallBackends.IptablesLegacy, 4, "iptables-legacy-save -c", sets: sets, reuse: reuse));
        }

        if (ip6tablesLegacySave is not null)
        {
            tables.AddRange(IptablesSaveParser.Parse(ip6tablesLegacySave, FirewallBackends.Ip6tablesLegacy, 6, "ip6tables-legacy-save -c", sets: sets, reuse: reuse));
        }

        string[] order = [FirewallBackends.Nftables, FirewallBackends.IptablesNft, FirewallBackends.Ip6tablesNft, FirewallBackends.IptablesLegacy, FirewallBackends.Ip6tablesLegacy];
        var backends = order.Where(b => tables.Any(t => t.Backend == b)).ToList();
        var ipsets = sets?.Sets.Values.Select(s => s.Content).OfType<SetContent>().OrderBy(c => c.Name, StringComparer.Ordinal).ToList() ?? [];
        var ruleset = new FirewallRuleset(tables) { Ipsets = ipsets };
        if (UfwRules.Manages(ruleset))
        {
            // ufw's rules are in the iptables tables above; the marker says whose they are (its fixes are ufw commands).
            backends.Add(FirewallBackends.Ufw);
        }

        return (ruleset, backends);
    }
}
