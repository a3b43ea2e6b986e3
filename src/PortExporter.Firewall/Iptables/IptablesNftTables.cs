using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables;

/// <summary>
/// Tables that iptables-nft made, recognized in nft's own dump. iptables-nft writes plain matches (addresses, ports,
/// interfaces) as native nftables expressions, so a table of such rules holds no xt statement and reads in full from
/// <c>nft -j</c>; it is still managed with iptables and saved with iptables-save, so its fixes are iptables commands.
/// </summary>
public static class IptablesNftTables
{
    /// <summary>The backend of a table iptables-nft made in <paramref name="family"/>; null for the families it does not make.</summary>
    public static string? Backend(TableFamily family) => family switch
    {
        TableFamily.Ip => FirewallBackends.IptablesNft,
        TableFamily.Ip6 => FirewallBackends.Ip6tablesNft,
        _ => null,
    };

    /// <summary>
    /// True when <paramref name="table"/> has the shape iptables-nft gives its tables: family <c>ip</c> or <c>ip6</c>, an
    /// iptables table name, at least one base chain, and every base chain one of that table's built-in chains (INPUT,
    /// FORWARD, ...) with the hook, priority and type iptables gives it, on no device. A native table written that way
    /// is indistinguishable from one, and iptables manages it as well.
    /// </summary>
    public static bool Made(FirewallTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (Backend(table.Family) is null)
        {
            return false;
        }

        var baseChains = 0;
        foreach (var chain in table.Chains.Values)
        {
            if (chain.BaseHook is not { } hook)
            {
                continue;
            }

            baseChains++;
            if (hook.Devices is { Count: > 0 }
                || IptablesBuiltins.Hook(table.Name, chain.Name, hook.PolicyDrops) is not { } builtin
                || (builtin.Hook, builtin.Priority, builtin.Type) != (hook.Hook, hook.Priority, hook.Type))
            {
                return false;
            }
        }

        return baseChains > 0;
    }
}
