namespace PortExporter.Core.Collection;

/// <summary>
/// The <c>collector</c> label values, which are also the names of the <c>--[no-]collector.NAME</c> flags: the host
/// facts first, then the per-port evidence.
/// </summary>
public static class CollectorNames
{
    public const string Network = "network";
    public const string Sockets = "sockets";
    public const string Processes = "processes";
    public const string Firewall = "firewall";
    public const string Selinux = "selinux";
    public const string Probes = "probes";
    public const string Backends = "backends";

    /// <summary>Every collector, in the order of the case's reasoning.</summary>
    public static IReadOnlyList<string> All { get; } = [Network, Sockets, Processes, Firewall, Selinux, Probes, Backends];
}
