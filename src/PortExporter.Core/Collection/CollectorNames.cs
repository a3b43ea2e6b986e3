namespace PortExporter.Core.Collection;

/// <summary>The <c>collector</c> label values, in the order the runner calls them.</summary>
public static class CollectorNames
{
    public const string Network = "network";
    public const string Sockets = "sockets";
    public const string Processes = "processes";
    public const string Firewall = "firewall";
    public const string Selinux = "selinux";
    public const string Probes = "probes";
}
