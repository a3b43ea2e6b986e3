using System.Net;

namespace PortExporter.Core.Network;

/// <summary>
/// Reads <see cref="HostNetwork"/> from procfs: <c>net/route</c> and <c>net/ipv6_route</c> (default routes),
/// <c>net/if_inet6</c> (IPv6 addresses and their prefix lengths per interface) and <c>net/fib_trie</c> (local IPv4
/// addresses, placed on the interface whose connected route holds them, that route being their subnet; 127/8 on lo; one
/// that no connected route holds, a /32, where the kernel lists it over netlink (<see cref="AddressQuery"/>)), the
/// forwarding and reverse path sysctls (<see cref="ForwardingSysctls"/>, <see cref="ReversePathFilter"/>, with
/// <c>net/fib_triestat</c> for the routing tables), then <c>&lt;sysfs&gt;/class/net/IF/</c> of the interfaces with a
/// subnet beside lo (<see cref="LinkFactsReader"/>) to mark container plumbing. No external command is run. A missing
/// file (no IPv6, no sysfs) is no data.
/// </summary>
public static class HostNetworkReader
{
    public static HostNetwork Read(HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var routes = ReadOrNull(paths.Proc("net", "route")) is { } r ? ProcNetParsers.ParseRoutes(r, paths.Proc("net", "route")) : [];
        var routes6 = ReadOrNull(paths.Proc("net", "ipv6_route")) is { } r6 ? ProcNetParsers.ParseIpv6Routes(r6, paths.Proc("net", "ipv6_route")) : [];
        var v6 = ReadOrNull(paths.Proc("net", "if_inet6")) is { } a6 ? ProcNetParsers.ParseIfInet6(a6, paths.Proc("net", "if_inet6")) : [];
        var v4 = ReadOrNull(paths.Proc("net", "fib_trie")) is { } trie ? ProcNetParsers.ParseFibTrieLocalAddresses(trie, paths.Proc("net", "fib_trie")) : [];
        // The kernel's own list of addresses is this process's namespace's: asked only when that is the host's.
        var own = Sockets.NetworkNamespace.IsOwn(paths.Procfs);
        var network = Build(routes, routes6, v4, v6, own ? AddressQuery.IPv4 : null);
        // <procfs>/sys/net shows the reader's own namespace, whatever procfs it is under: read only when that is the host's.
        if (own)
        {
            var names = network.Interfaces.Select(i => i.Name).ToList();
            network = network with
            {
                Forwarding = ForwardingSysctls.Read(paths.Proc("sys", "net"), names),
                ReversePath = ReversePathFilter.Read(paths.Proc("sys", "net"), paths.Proc("net", "fib_triestat"), names),
            };
        }

        return WithLinks(network, LinkFactsReader.Read(paths, network.InternalCandidates()));
    }

    /// <summary>Marks the interfaces that are container plumbing (<see cref="ContainerPlumbing"/>) by their link facts (pure).</summary>
    public static HostNetwork WithLinks(HostNetwork network, IReadOnlyDictionary<string, LinkFacts> links)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(links);
        var candidates = network.InternalCandidates().ToHashSet(StringComparer.Ordinal);
        return network with
        {
            Interfaces = [.. network.Interfaces.Select(i => candidates.Contains(i.Name) ? i with { Plumbing = ContainerPlumbing.Why(i.Name, links), UplinkPort = ContainerPlumbing.UplinkPort(i.Name, links) } : i)],
        };
    }

    /// <summary>
    /// Combines parsed procfs content (pure but for <paramref name="kernelV4"/>): a local IPv4 address no connected route
    /// holds (a /32: a virtual IP on lo, a host address given as /32) is placed where <paramref name="kernelV4"/> lists
    /// it, asked once and only then; without it, or when it does not list the address, the address is left out.
    /// </summary>
    public static HostNetwork Build(
        IReadOnlyList<Ipv4Route> routes,
        IReadOnlyList<Ipv6Route> routes6,
        IReadOnlyList<IPAddress> localV4,
        IReadOnlyList<(string Interface, IPAddress Address, int PrefixLength)> v6,
        Func<IReadOnlyList<InterfaceAddressEntry>?>? kernelV4 = null)
    {
        IReadOnlyList<InterfaceAddressEntry>? listed = null;
        var asked = false;
        var byInterface = new Dictionary<string, List<IPAddress>>(StringComparer.Ordinal);
        var subnets = new Dictionary<string, List<IPNetwork>>(StringComparer.Ordinal);
        void Add(string name, IPAddress address, IPNetwork? subnet = null)
        {
            if (!byInterface.TryGetValue(name, out var list))
            {
                byInterface[name] = list = [];
                subnets[name] = [];
            }

            if (!list.Contains(address))
            {
                list.Add(address);
            }

            if (subnet is { } s && !subnets[name].Contains(s))
            {
                subnets[name].Add(s);
            }
        }

        foreach (var address in localV4)
        {
            if (IPAddress.IsLoopback(address))
            {
                Add(HostNetwork.LoopbackInterface, address);
                continue;
            }

            var owner = routes.Where(r => r.Gateway == 0 && !r.IsDefault && r.Contains(address))
                .OrderByDescending(r => uint.PopCount(r.Mask)).ThenBy(r => r.Metric).FirstOrDefault();
            if (owner is not null)
            {
                Add(owner.Interface, address, HostInterface.SubnetOf(address, (int)uint.PopCount(owner.Mask)));
                continue;
            }

            if (!asked)
            {
                asked = true;
                listed = kernelV4?.Invoke();
            }

            if (listed?.FirstOrDefault(e => e.Address.Equals(address)) is { } entry)
            {
                // On lo it is a virtual IP, no subnet of clients; elsewhere a /32 is a subnet of one.
                Add(entry.Interface, address, entry.Interface == HostNetwork.LoopbackInterface ? null : HostInterface.SubnetOf(address, entry.PrefixLength));
            }
        }

        foreach (var (name, address, prefix) in v6)
        {
            Add(name, address, IPAddress.IsLoopback(address) ? null : HostInterface.SubnetOf(address, prefix));
        }

        var default4 = routes.Where(r => r.IsDefault).OrderBy(r => r.Metric).FirstOrDefault()?.Interface;
        var default6 = routes6.Where(r => r.IsDefault && r.Interface != HostNetwork.LoopbackInterface).OrderBy(r => r.Metric).FirstOrDefault()?.Interface;
        IEnumerable<HostRoute> routes4 = routes.Where(r => (r.Flags & Ipv4Route.FlagUp) != 0)
            .Select(r => new HostRoute(new IPNetwork(new IPAddress(r.Destination & r.Mask), (int)uint.PopCount(r.Mask)), r.Interface, r.Metric));
        IEnumerable<HostRoute> routes6Up = routes6.Where(r => (r.Flags & Ipv6Route.FlagUp) != 0 && (r.Flags & Ipv6Route.FlagReject) == 0 && r.Interface != HostNetwork.LoopbackInterface)
            .Select(r => new HostRoute(new IPNetwork(r.Destination, r.PrefixLength), r.Interface, r.Metric));
        return new HostNetwork([.. byInterface.Select(kv => new HostInterface(kv.Key, kv.Value) { Subnets = subnets[kv.Key] })], default4, default6) { Routes = [.. routes4, .. routes6Up] };
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
