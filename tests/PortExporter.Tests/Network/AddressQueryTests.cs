using System.Net;
using PortExporter.Core.Network;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Network;

/// <summary>
/// /32 addresses, which no connected route places on an interface: a virtual IP on lo (a direct-routing load
/// balancer's real server, an anycast service) and a host address given as /32 with a route to its gateway (as GCP
/// and Hetzner configure their machines). The kernel's list (<see cref="AddressQuery"/>) asked in a test namespace
/// against <c>ip -4 addr</c>, the network built from that namespace's own procfs with it, and the binary's diagnosis.
/// </summary>
public sealed class AddressQueryTests
{
    private static (Netns Ns, Netns Peer) Slash32Host()
    {
        var ns = new Netns("aq");
        var peer = new Netns("aqpeer");
        ns.Link("eth0", "198.51.100.7/32", peer, "eth0", "172.16.9.1/24");
        ns.Exec("ip", "route", "add", "172.16.9.1", "dev", "eth0");
        ns.Exec("ip", "route", "add", "default", "via", "172.16.9.1");
        ns.Exec("ip", "addr", "add", "192.0.2.100/32", "dev", "lo");
        peer.Exec("ip", "route", "add", "198.51.100.7/32", "dev", "eth0");
        peer.Exec("ip", "route", "add", "192.0.2.100/32", "via", "198.51.100.7");
        return (ns, peer);
    }

    [Fact]
    public void The_kernel_lists_each_address_with_its_interface_and_prefix_and_the_network_places_the_slash32s_by_it()
    {
        var (ns, peer) = Slash32Host();
        using (ns)
        using (peer)
        using (var thread = new NetnsThread(ns))
        {
            var listed = thread.Invoke(AddressQuery.IPv4);

            Assert.Contains("inet 192.0.2.100/32 scope global lo", ns.Exec("ip", "-4", "addr", "show", "dev", "lo").Stdout, StringComparison.Ordinal);
            Assert.NotNull(listed);
            Assert.Contains(new InterfaceAddressEntry("lo", IPAddress.Parse("192.0.2.100"), 32), listed);
            Assert.Contains(new InterfaceAddressEntry("lo", IPAddress.Loopback, 8), listed);
            Assert.Contains(new InterfaceAddressEntry("eth0", IPAddress.Parse("198.51.100.7"), 32), listed);

            // The namespace's own procfs has no connected route for either /32: placed by the kernel's list.
            var routes = ProcNetParsers.ParseRoutes(ns.Exec("cat", "/proc/net/route").Stdout);
            var local = ProcNetParsers.ParseFibTrieLocalAddresses(ns.Exec("cat", "/proc/net/fib_trie").Stdout);
            var asked = 0;
            var network = HostNetworkReader.Build(routes, [], local, [], () => { asked++; return listed; });

            Assert.Equal(1, asked);
            Assert.Equal("eth0", network.DefaultInterfaceV4);
            Assert.Equal(IPAddress.Parse("198.51.100.7"), network.PrimaryAddress("eth0", 4));
            Assert.Equal([IPAddress.Parse("192.0.2.100")], network.RoutedAddresses());
            Assert.Equal([IPAddress.Parse("198.51.100.7"), IPAddress.Parse("192.0.2.100")], network.OutsideAddresses());

            // Without the kernel's list (procfs of another namespace, fixtures) they are left out, as before.
            var blind = HostNetworkReader.Build(routes, [], local, []);
            Assert.Null(blind.PrimaryAddress("eth0", 4));
            Assert.Empty(blind.RoutedAddresses());
        }
    }

    [Fact]
    public void A_slash32_host_is_judged_from_outside_and_a_service_on_a_virtual_ip_on_lo_is_reachable()
    {
        var (ns, peer) = Slash32Host();
        using (ns)
        using (peer)
        using (var dir = new TempDir())
        {
            var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n  - name: vip\n    port: 9090\n");
            using var web = ns.Start("socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo web");
            using var vip = ns.Start("socat", "TCP-LISTEN:9090,bind=192.0.2.100,fork,reuseaddr", "SYSTEM:echo vip");
            ns.WaitForListener(8080);
            ns.WaitForListener(9090);
            var rules = dir.File("rules.nft", "table inet aq {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ip daddr 198.51.100.7 tcp dport 8080 drop\n  }\n}\n");
            ns.Exec("nft", "-f", rules);

            // The kernel's answer first: the VIP serves outside clients, the host address drops 8080.
            Assert.Equal("vip", peer.Exec("socat", "-T", "5", "-", "TCP4:192.0.2.100:9090,connect-timeout=5").Stdout.Trim());
            peer.AssertConnectTimesOut("198.51.100.7", 8080);

            var blocked = ExporterBinary.Diagnose(ns, config, "web");
            Assert.True(blocked.GetProperty("cause").GetString() == "firewall_blocked", blocked.ToString());
            Assert.Contains("(tcp 203.0.113.1 -> 198.51.100.7:8080 on eth0)", blocked.GetProperty("summary").GetString(), StringComparison.Ordinal);
            var routed = ExporterBinary.Diagnose(ns, config, "vip");
            Assert.True(routed.GetProperty("cause").GetString() == "ok", routed.ToString());
        }
    }
}
