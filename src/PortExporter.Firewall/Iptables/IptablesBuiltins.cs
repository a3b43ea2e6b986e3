using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables;

/// <summary>
/// The hooks, priorities and types of the built-in chains of each iptables table. They are fixed by the kernel
/// (legacy x_tables, <c>NF_IP_PRI_*</c>) and iptables-nft creates its base chains with the same values.
/// </summary>
internal static class IptablesBuiltins
{
    public static BaseChainHook? Hook(string table, string chain, bool policyDrops)
    {
        (NetfilterHook Hook, int Priority, ChainType Type)? spec = (table, chain) switch
        {
            ("raw", "PREROUTING") => (NetfilterHook.Prerouting, -300, ChainType.Filter),
            ("raw", "OUTPUT") => (NetfilterHook.Output, -300, ChainType.Filter),
            ("mangle", "PREROUTING") => (NetfilterHook.Prerouting, -150, ChainType.Filter),
            ("mangle", "INPUT") => (NetfilterHook.Input, -150, ChainType.Filter),
            ("mangle", "FORWARD") => (NetfilterHook.Forward, -150, ChainType.Filter),
            ("mangle", "OUTPUT") => (NetfilterHook.Output, -150, ChainType.Route),
            ("mangle", "POSTROUTING") => (NetfilterHook.Postrouting, -150, ChainType.Filter),
            ("nat", "PREROUTING") => (NetfilterHook.Prerouting, -100, ChainType.Nat),
            ("nat", "INPUT") => (NetfilterHook.Input, 100, ChainType.Nat),
            ("nat", "OUTPUT") => (NetfilterHook.Output, -100, ChainType.Nat),
            ("nat", "POSTROUTING") => (NetfilterHook.Postrouting, 100, ChainType.Nat),
            ("filter", "INPUT") => (NetfilterHook.Input, 0, ChainType.Filter),
            ("filter", "FORWARD") => (NetfilterHook.Forward, 0, ChainType.Filter),
            ("filter", "OUTPUT") => (NetfilterHook.Output, 0, ChainType.Filter),
            ("security", "INPUT") => (NetfilterHook.Input, 50, ChainType.Filter),
            ("security", "FORWARD") => (NetfilterHook.Forward, 50, ChainType.Filter),
            ("security", "OUTPUT") => (NetfilterHook.Output, 50, ChainType.Filter),
            _ => null,
        };
        return spec is { } s ? new BaseChainHook(s.Hook, s.Priority, s.Type, policyDrops) : null;
    }
}
