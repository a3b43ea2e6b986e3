using PortExporter.Tests.Support;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// The usual IPv6 outage of a hand-written ruleset, for real (the built binary, <c>diagnose</c> in the namespace): a
/// policy drop that admits the port but not ICMPv6. The port's rule accepts the connection, yet no IPv6 client on the
/// link gets an answer to its neighbor solicitation, so none reaches the host. The diagnosis names neighbour
/// discovery, and the fix it gives, run as given, brings IPv6 clients back.
/// </summary>
public sealed class NeighbourDiscoveryNamespaceTests
{
    private const string Rules = """
        flush ruleset
        table inet filter {
            chain input {
                type filter hook input priority 0; policy drop;
                iif "lo" accept
                ct state established,related accept
                tcp dport 8080 accept
            }
        }
        """;

    [Fact]
    public void A_policy_drop_without_icmpv6_blocks_ipv6_clients_and_the_given_fix_lets_them_in()
    {
        using var host = new Netns("ndhost");
        using var client = new Netns("ndout");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.7.1/24", client, "eth0", "10.79.7.2/24");
        host.AddIPv6("eth0", "fd79:7::1/64");
        client.AddIPv6("eth0", "fd79:7::2/64");
        host.Exec("ip", "route", "add", "default", "via", "10.79.7.2");
        host.Exec("nft", "-f", dir.File("rules.nft", Rules));
        using var service = host.Start("socat", "TCP6-LISTEN:8080,fork,reuseaddr,ipv6only=0", "SYSTEM:echo served");
        host.WaitForListener(8080);
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");

        // The kernel's answer first: IPv4 clients are served, IPv6 ones never get the host's link-layer address.
        Assert.Equal("served", client.Exec("socat", "-T", "5", "-", "TCP4:10.79.7.1:8080,connect-timeout=3").Stdout.Trim());
        var v6 = client.ExecAllowFailure("socat", "-T", "5", "-", "TCP6:[fd79:7::1]:8080,connect-timeout=3");
        Assert.NotEqual(0, v6.ExitCode);
        Assert.DoesNotContain("refused", v6.Stderr, StringComparison.OrdinalIgnoreCase);

        var blocked = ExporterBinary.Diagnose(host, config, "web");

        Assert.True(blocked.GetProperty("cause").GetString() == "firewall_blocked", blocked.ToString());
        Assert.Contains("IPv6 neighbour discovery on eth0 is blocked", ExporterBinary.Observed(blocked, "firewall"), StringComparison.Ordinal);
        Assert.Contains("the rules tell the address families apart: IPv4 accept, IPv6 drop", ExporterBinary.Observed(blocked, "firewall"), StringComparison.Ordinal);
        var fix = blocked.GetProperty("fix").GetString()!;
        var command = fix[fix.IndexOf("nft insert rule", StringComparison.Ordinal)..fix.IndexOf(';', StringComparison.Ordinal)];

        // The fix as given: IPv6 clients are served, and the diagnosis is ok.
        host.Exec("sh", "-c", command);
        client.ExecAllowFailure("ip", "-6", "neigh", "flush", "dev", "eth0");
        Assert.Equal("served", client.Exec("socat", "-T", "5", "-", "TCP6:[fd79:7::1]:8080,connect-timeout=3").Stdout.Trim());
        var ok = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(ok.GetProperty("cause").GetString() == "ok", ok.ToString());
    }

    [Fact]
    public void A_router_solicits_from_its_link_local_address_so_an_allowlist_of_the_links_prefix_blocks_routed_clients()
    {
        // A far client reached through a router on eth0. The rules admit neighbour discovery from the link's global
        // prefix only; the router asks for the host's address from its link-local address (as the kernel does for a
        // packet it forwards), which they drop: routed IPv6 clients time out, and the exporter, which takes the router
        // at fe80::1, says so.
        using var host = new Netns("ndrhost");
        using var router = new Netns("ndrrt");
        using var far = new Netns("ndrfar");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.10.1/24", router, "eth0", "10.79.10.2/24");
        router.Link("eth1", "10.79.11.1/24", far, "eth0", "10.79.11.2/24");
        host.AddIPv6("eth0", "fd79:10::1/64");
        router.AddIPv6("eth0", "fd79:10::2/64");
        router.AddIPv6("eth1", "fd79:11::1/64");
        far.AddIPv6("eth0", "fd79:11::2/64");
        router.Exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        host.Exec("ip", "route", "add", "default", "via", "10.79.10.2");
        host.Exec("ip", "-6", "route", "add", "default", "via", "fd79:10::2");
        far.Exec("ip", "-6", "route", "add", "default", "via", "fd79:11::1");
        host.Exec("nft", "-f", dir.File("rules.nft", Rules.Replace(
            "tcp dport 8080 accept",
            "tcp dport 8080 accept\n        ip6 saddr fd79:10::/64 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept",
            StringComparison.Ordinal)));
        using var service = host.Start("socat", "TCP6-LISTEN:8080,fork,reuseaddr,ipv6only=0", "SYSTEM:echo served");
        host.WaitForListener(8080);
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");

        Assert.Contains("timed out", far.ExecAllowFailure("socat", "-T", "5", "-", "TCP6:[fd79:10::1]:8080,connect-timeout=3").Stderr, StringComparison.Ordinal);
        var blocked = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(blocked.GetProperty("cause").GetString() == "firewall_blocked", blocked.ToString());
        Assert.Contains("the neighbor solicitation fe80::1 sends", ExporterBinary.Observed(blocked, "firewall"), StringComparison.Ordinal);

        // Admitting the link-local prefix as well lets the router in: served, and ok.
        host.Exec("nft", "insert", "rule", "inet", "filter", "input", "ip6", "saddr", "fe80::/10", "icmpv6", "type", "{", "nd-neighbor-solicit,", "nd-neighbor-advert", "}", "accept");
        router.ExecAllowFailure("ip", "-6", "neigh", "flush", "dev", "eth0");
        Assert.Equal("served", far.Exec("socat", "-T", "5", "-", "TCP6:[fd79:10::1]:8080,connect-timeout=3").Stdout.Trim());
        var ok = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(ok.GetProperty("cause").GetString() == "ok", ok.ToString());
    }
}
