using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

/// <summary>What <c>nft -j list ruleset</c> described.</summary>
/// <param name="Tables">Every table, backend <see cref="FirewallBackends.Nftables"/>.</param>
/// <param name="TablesWithXt">
/// Tables with at least one <c>xt</c> expression: made by iptables-nft with matches nft cannot print in JSON
/// (their ports and states are missing), so they must be read from <c>iptables-nft-save</c> instead. This is the
/// condition under which <c>nft list ruleset</c> itself warns "table ... is managed by iptables-nft".
/// </param>
public sealed record NftRuleset(IReadOnlyList<FirewallTable> Tables, IReadOnlyList<(TableFamily Family, string Name)> TablesWithXt);
