namespace PortExporter.Firewall.Model;

/// <summary>The type of a base chain.</summary>
public enum ChainType
{
    Filter,

    /// <summary>Sees only the first packet of a connection; its verdict for the others is fixed by conntrack.</summary>
    Nat,

    /// <summary>Output-side rerouting chain (mangle OUTPUT); filters like <see cref="Filter"/>.</summary>
    Route,
}
