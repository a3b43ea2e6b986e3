using PortExporter.Core.Collection;

namespace PortExporter.Core.Network;

/// <summary>
/// The host's interfaces, addresses and default routes (a host fact), read from <c>&lt;procfs&gt;/net</c> once per
/// collection by <see cref="HostNetworkReader"/>. The diagnosis and the firewall's connection planner both use this
/// one read. A host without IPv6 has no ipv6_route: no data, not a failure.
/// </summary>
public sealed class NetworkCollector : IHostFactCollector<HostNetwork>
{
    public string Name => CollectorNames.Network;

    public Task<HostNetwork> CollectAsync(CollectionContext context, HostFacts known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(HostNetworkReader.Read(context.Paths));
    }
}
