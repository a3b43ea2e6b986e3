using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Network;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>Shared wording and address logic of the listener rules.</summary>
internal static class ListenerFacts
{
    public static string SsCommand(PortSpec port) =>
        $"ss -{(port.Protocol == TransportProtocol.Udp ? "u" : "t")}lnp 'sport = :{port.Port.ToString(CultureInfo.InvariantCulture)}'";

    /// <summary>The process holding <paramref name="listener"/>, when the process evidence found it.</summary>
    public static ProcessInfo? Owner(Listener listener, EvidenceSnapshot evidence) =>
        evidence.Processes?.OwnersByInode.GetValueOrDefault(listener.Inode);

    /// <summary>
    /// The process of <paramref name="kind"/> (<see cref="SocketHolders"/>) that holds every one of
    /// <paramref name="listeners"/>, with what it is; null when there are none, or one is held by any other process
    /// or by a holder of another engine.
    /// </summary>
    public static (ProcessInfo Owner, SocketHolder Holder)? HeldBy(SocketHolderKind kind, IEnumerable<Listener> listeners, EvidenceSnapshot evidence)
    {
        (ProcessInfo Owner, SocketHolder Holder)? first = null;
        foreach (var listener in listeners)
        {
            if (Owner(listener, evidence) is not { } owner || SocketHolders.Of(owner) is not { } holder || holder.Kind != kind
                || (first is { } seen && seen.Holder.Engine != holder.Engine))
            {
                return null;
            }

            first ??= (owner, holder);
        }

        return first;
    }

    public static string Describe(Listener listener, EvidenceSnapshot evidence)
    {
        var owner = Owner(listener, evidence);
        var endpoint = listener.EndpointText;
        var scope = listener.Scope.ToString().ToLowerInvariant() + (listener is { Scope: ListenerScope.Wildcard, IsIPv6: true, V6Only: true } ? ", IPv6 only" : "")
            + (listener.Device is { } device ? $", bound to interface {device}" : string.Empty);
        return owner is null ? $"{endpoint} ({scope})" : $"{endpoint} ({scope}, {owner.DisplayName} pid {owner.Pid.ToString(CultureInfo.InvariantCulture)})";
    }

    /// <summary>
    /// The fix when a container engine's process holds every listener of the port (<see cref="SocketHolderKind.ContainerPublisher"/>):
    /// the container's port was published on the wrong address, so it is published again on <paramref name="want"/>
    /// (<c>0.0.0.0</c>: every address) and the container recreated; null when any listener is the service's own.
    /// </summary>
    public static string? RepublishFix(PortSpec port, IReadOnlyList<Listener> listeners, EvidenceSnapshot evidence, string want)
    {
        if (HeldBy(SocketHolderKind.ContainerPublisher, listeners, evidence) is not ({ } owner, { Engine: { } engine }))
        {
            return null;
        }

        var hostPort = port.Port.ToString(CultureInfo.InvariantCulture);
        var address = want.Contains(':', StringComparison.Ordinal) && !want.StartsWith('[') ? $"[{want}]" : want;
        var published = want is "0.0.0.0" or "[::]" or "::" ? $"{hostPort}:CONTAINER_PORT" : $"{address}:{hostPort}:CONTAINER_PORT";
        var now = listeners[0].IsIPv6 ? $"[{listeners[0].Address}]" : listeners[0].Address.ToString();
        return $"{engine.Name} publishes the port on {now} only ({owner.DisplayName} holds it): publish it as -p {published} "
            + $"instead of -p {now}:{hostPort}:CONTAINER_PORT ({engine.Command} run; compose: ports: [\"{published}\"]), then recreate the container.";
    }

    public static string DescribeAll(IEnumerable<Listener> listeners, EvidenceSnapshot evidence) =>
        string.Join(", ", listeners.Select(l => Describe(l, evidence)).Distinct());

    /// <summary>
    /// The addresses outside clients reach this service on: the configured bind address; else any external
    /// endpoint that is an address of this host; else the addresses of the default-route interfaces.
    /// Empty when none is known (then any non-loopback listener counts as reachable).
    /// </summary>
    public static IReadOnlyList<IPAddress> OutsideAddresses(PortSpec port, EvidenceSnapshot evidence)
    {
        if (port.Bind is { } bind && !bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any))
        {
            return [bind];
        }

        var network = evidence.Network;
        if (network is null)
        {
            return [];
        }

        var localExternal = port.ExternalEndpoints
            .Select(e => IPAddress.TryParse(e.Host, out var a) ? a : null)
            .OfType<IPAddress>()
            .Where(a => network.OwnerOf(a) is not null)
            .ToList();
        return localExternal.Count > 0 ? localExternal : network.OutsideAddresses();
    }

    /// <summary>
    /// True when <paramref name="listener"/> accepts connections addressed to <paramref name="address"/>, one of this
    /// host's. A listener bound to an interface (SO_BINDTODEVICE) takes only what arrives on it: an address of that
    /// interface (traffic to another address arrives elsewhere, and from this host over <c>lo</c>); where
    /// <paramref name="network"/> does not say which interface holds the address, the binding is not held against it.
    /// </summary>
    public static bool Serves(Listener listener, IPAddress address, HostNetwork? network)
    {
        var arrives = IPAddress.IsLoopback(address) ? HostNetwork.LoopbackInterface : network?.InterfaceOf(address);
        if (listener.Device is { } device && arrives is not null && arrives != device)
        {
            return false;
        }

        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (listener.Scope == ListenerScope.Wildcard)
        {
            return v4 ? listener.AcceptsIPv4 : listener.IsIPv6;
        }

        var own = listener.Address.IsIPv4MappedToIPv6 ? listener.Address.MapToIPv4() : listener.Address;
        return own.Equals(address);
    }
}
