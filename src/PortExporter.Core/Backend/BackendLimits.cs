namespace PortExporter.Core.Backend;

/// <summary>
/// The bounds of one backend search: however many processes and namespaces the host has, a collection stats at most
/// <see cref="MaxProcesses"/> processes, reads the addresses of at most <see cref="MaxNamespaces"/> namespaces, and
/// stops after <see cref="TimeBudget"/>; a search cut short names the backend as not found (missing evidence).
/// </summary>
public static class BackendLimits
{
    /// <summary>Processes whose <c>/proc/PID/net</c> is looked at per collection.</summary>
    public const int MaxProcesses = 20_000;

    /// <summary>Distinct network namespaces whose addresses are read per collection.</summary>
    public const int MaxNamespaces = 512;

    /// <summary>Processes per namespace whose fds are searched for the owner of a backend's listener.</summary>
    public const int MaxOwnerProcesses = 64;

    /// <summary>Wall-clock time one search may take, besides the scrape deadline.</summary>
    public static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(2);
}
