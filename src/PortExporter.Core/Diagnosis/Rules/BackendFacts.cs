using System.Globalization;
using PortExporter.Core.Backend;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>What the rules read of the backends behind a port's DNATs.</summary>
internal static class BackendFacts
{
    /// <summary>
    /// The distinct addresses the firewall's verdicts for <paramref name="port"/> send its connections to, then those the
    /// userland proxies holding it forward to; empty when none.
    /// </summary>
    public static IReadOnlyList<BackendTarget> Targets(PortSpec port, EvidenceSnapshot evidence) => BackendCollector.TargetsOf(port, evidence);

    /// <summary>The userland proxy holding <paramref name="port"/> that forwards it to <paramref name="target"/>; null when none does.</summary>
    public static Processes.ProcessInfo? ProxyTo(PortSpec port, BackendTarget target, EvidenceSnapshot evidence) =>
        BackendCollector.ProxiesOf(port.Key, evidence.Sockets, evidence.Processes).FirstOrDefault(p => p.Target == target).Proxy;

    /// <summary>
    /// True when <paramref name="port"/> has no listener on this host and every address its DNATs send it to has a
    /// listener (a container published without a userland proxy, a pod's hostPort) or is another host's
    /// (<see cref="OnAnotherHost"/>: a port forward of a router): the service is the backends'.
    /// </summary>
    public static bool PublishedByDnatOnly(PortSpec port, EvidenceSnapshot evidence)
    {
        if (evidence.Sockets is not { } sockets || sockets.For(port.Key).Any() || evidence.Backends is not { } backends)
        {
            return false;
        }

        var targets = Targets(port, evidence);
        return targets.Count > 0 && targets.All(t => backends.For(t) is { } b && (b.Status == BackendStatus.Listening || OnAnotherHost(b, evidence.Network) is not null));
    }

    /// <summary>
    /// Where the port's DNAT sends it when a process named <paramref name="name"/> that runs in another network
    /// namespace may be its service: a backend where it listens ("the DNAT sends 8080/tcp to 172.31.0.2:80, where nginx
    /// pid 12 listens (in net:[...] of nginx pid 12)"), else the first backend whose namespace was read (whether
    /// anything listens there is the backend check's to say); null when the port has no such backend, or the backends
    /// were not read.
    /// </summary>
    public static string? ServedBy(PortSpec port, string name, EvidenceSnapshot evidence)
    {
        if (evidence.Backends is not { } backends)
        {
            return null;
        }

        var known = Targets(port, evidence).Select(backends.For).OfType<BackendResult>().Where(b => b is { IsKnown: true, Namespace: not null }).ToList();
        foreach (var backend in known.Where(b => b.Status == BackendStatus.Listening))
        {
            var owner = backend.Listeners.Select(l => backend.Owners.GetValueOrDefault(l.Inode)).FirstOrDefault(o => o?.Matches(name) == true);
            if (owner is not null)
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"the DNAT sends {port.Port}/{port.Protocol.ToLabel()} to {backend.Target.Label}, where {owner.DisplayName} pid {owner.Pid} listens (in {backend.Namespace!.Describe()})");
            }
        }

        return known.FirstOrDefault() is { } first
            ? string.Create(CultureInfo.InvariantCulture, $"the DNAT sends {port.Port}/{port.Protocol.ToLabel()} to {first.Target.Label}, in {first.Namespace!.Describe()} (what listens there: the backend check)")
            : null;
    }

    /// <summary>
    /// How the backend's address is reached when no namespace of this host owns it though every one was read, and it
    /// is neither this host's nor on one of its container networks (a bridge of veths, where a container that is gone
    /// was): through a router, or on a network of real hosts. Null otherwise.
    /// </summary>
    public static string? OnAnotherHost(BackendResult backend, Network.HostNetwork? network)
    {
        if (backend is not { Status: BackendStatus.NamespaceNotFound, EveryNamespaceRead: true } || network is null || network.IsLocal(backend.Target.Address))
        {
            return null;
        }

        return network.ConnectedInterface(backend.Target.Address) switch
        {
            null => network.EgressInterface(backend.Target.Address) is { } via ? $"routed out of {via}" : "routed",
            { Plumbing: null } lan => $"on the network of {lan.Name}",
            _ => null,
        };
    }
}
