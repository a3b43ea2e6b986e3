using PortExporter.Core.Collection;
using PortExporter.Core.Firewall.Network;

namespace PortExporter.Core.Network;

/// <summary>
/// The host's interfaces, addresses and default routes, read from <c>&lt;procfs&gt;/net</c> by the same
/// <see cref="HostNetworkReader"/> the firewall's connection planner uses, so the diagnosis and the firewall
/// verdicts see one network. A host without IPv6 has no ipv6_route: no data, not a failure.
/// </summary>
public sealed class NetworkCollector : IEvidenceCollector
{
    public string Name => CollectorNames.Network;

    public Task CollectAsync(CollectionContext context, EvidenceBuilder evidence, CancellationToken cancellationToken)
    {
        var network = HostNetworkReader.Read(context.Paths);
        evidence.Network = new NetworkEvidence(network.Interfaces, network.DefaultInterfaceV4, network.DefaultInterfaceV6);
        return Task.CompletedTask;
    }
}
