using PortExporter.Tests.Support;

namespace PortExporter.Tests.Network;

/// <summary>
/// A service address on a second interface of a multi-homed host with a strict reverse path filter, for real: the
/// server's default route leaves by eth0, clients reach its eth1 address through a router on eth1, and their
/// connections are dropped (the route back leaves by eth0), by the kernel's rp_filter sysctl or by the ruleset's
/// <c>fib saddr . iif oif missing drop</c>. The exporter (the built binary, <c>diagnose</c> in the namespace) names what
/// drops them; with source-based policy routing for that address the clients get in and the port is ok.
/// </summary>
public sealed class ReversePathNamespaceTests
{
    [Theory]
    [InlineData("sysctl", "dropped by net.ipv4.conf.all.rp_filter = 1")]
    [InlineData("nft", "dropped by nftables table rpf chain prerouting: handle 2: fib saddr . iif oif missing drop")]
    public void A_second_interface_under_a_strict_reverse_path_filter_is_named_and_policy_routing_clears_it(string filter, string dropped)
    {
        using var server = new Netns("rpfsrv");
        using var uplink = new Netns("rpfup");
        using var router = new Netns("rpfgw");
        using var client = new Netns("rpfcli");
        using var dir = new TempDir();
        server.Link("eth0", "10.77.0.1/24", uplink, "eth0", "10.77.0.254/24");
        server.Link("eth1", "10.88.0.1/24", router, "eth0", "10.88.0.254/24");
        router.Link("eth1", "203.0.113.254/24", client, "eth0", "203.0.113.5/24");
        server.Exec("ip", "route", "add", "default", "via", "10.77.0.254");
        client.Exec("ip", "route", "add", "default", "via", "203.0.113.254");
        router.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        if (filter == "sysctl")
        {
            server.Exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.eth1.rp_filter=1");
        }
        else
        {
            server.Exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.eth1.rp_filter=0");
            server.Exec("nft", "-f", dir.File("rpf.nft", "table inet rpf {\n  chain prerouting {\n    type filter hook prerouting priority -300; policy accept;\n    fib saddr . iif oif missing drop\n  }\n}\n"));
        }

        server.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo web");
        server.WaitForListener(8080);
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n    bind: 10.88.0.1\n");

        // The kernel's answer first: the SYN is dropped, the client times out.
        client.AssertConnectTimesOut("10.88.0.1", 8080);

        var web = ExporterBinary.Diagnose(server, config, "web");
        Assert.Equal("firewall_blocked", web.GetProperty("cause").GetString());
        var summary = web.GetProperty("summary").GetString();
        Assert.Contains(dropped, summary, StringComparison.Ordinal);
        if (filter == "sysctl")
        {
            Assert.Contains("the host's route back to 203.0.113.1 leaves by eth0, not by eth1", summary, StringComparison.Ordinal);
        }

        Assert.StartsWith("Send the replies back by eth1, where the clients come in: route by source address (ip rule add from 10.88.0.1 table 100;", web.GetProperty("fix").GetString(), StringComparison.Ordinal);

        // The fix it names: replies from the eth1 address leave by eth1.
        server.Exec("ip", "route", "add", "default", "via", "10.88.0.254", "dev", "eth1", "table", "100");
        server.Exec("ip", "rule", "add", "from", "10.88.0.1", "table", "100");
        var answered = client.Exec("socat", "-u", "TCP4:10.88.0.1:8080,connect-timeout=10", "-");
        Assert.Equal("web", answered.Stdout.Trim());
        Assert.Equal("ok", ExporterBinary.Diagnose(server, config, "web").GetProperty("cause").GetString());
    }
}
