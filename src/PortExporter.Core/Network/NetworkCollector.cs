using System.Net.NetworkInformation;
using PortExporter.Core.Collection;

namespace PortExporter.Core.Network;

/// <summary>
/// Reads the default routes from <c>&lt;procfs&gt;/net/route</c> and <c>ipv6_route</c> and the interfaces' addresses
/// from the kernel (netlink, through .NET's NetworkInterface). A host without IPv6 has no ipv6_route: no data, not a failure.
/// </summary>
public sealed class NetworkCollector : IEvidenceCollector
{
    public string Name => CollectorNames.Network;

    public async Task CollectAsync(CollectionContext context, EvidenceBuilder evidence, CancellationToken cancellationToken)
    {
        var routeFile = context.Paths.Proc("net", "route");
        var v4 = RouteTableParser.DefaultRouteInterfaceV4(await File.ReadAllTextAsync(routeFile, cancellationToken).ConfigureAwait(false), routeFile);
        var v6File = context.Paths.Proc("net", "ipv6_route");
        var v6 = File.Exists(v6File)
            ? RouteTableParser.DefaultRouteInterfaceV6(await File.ReadAllTextAsync(v6File, cancellationToken).ConfigureAwait(false), v6File)
            : null;

        var interfaces = NetworkInterface.GetAllNetworkInterfaces()
            .Select(n => new HostInterface(
                n.Name,
                [.. n.GetIPProperties().UnicastAddresses.Select(u => u.Address)],
                n.NetworkInterfaceType == NetworkInterfaceType.Loopback))
            .ToList();
        evidence.Network = new NetworkEvidence(interfaces, v4, v6);
    }
}
