namespace PortExporter.Firewall.Model;

/// <summary>One table of one backend: its chains by name.</summary>
/// <param name="Backend">The backend that owns and describes it (<see cref="FirewallBackends"/>).</param>
/// <param name="Family">Which packets its base chains see.</param>
/// <param name="Name">The table name.</param>
/// <param name="Chains">Chains by name (ordinal).</param>
public sealed record FirewallTable(string Backend, TableFamily Family, string Name, IReadOnlyDictionary<string, FirewallChain> Chains)
{
    /// <summary>The table's named sets and maps (nftables), sorted by name; empty for iptables tables.</summary>
    public IReadOnlyList<SetContent> Sets { get; init; } = [];

    public override string ToString() => $"{Backend} {Family.ToLabel()} {Name}";
}
