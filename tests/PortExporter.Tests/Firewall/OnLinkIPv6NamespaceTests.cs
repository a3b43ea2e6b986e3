using PortExporter.Tests.Support;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// A dual-stack service on a host whose outside interface has an IPv6 subnet but no IPv6 default route, for real (the
/// built binary, <c>diagnose</c> in the namespace): IPv6 clients on that network reach it directly, so a rule that
/// drops the port over IPv6 only blocks them, and the diagnosis says so instead of judging by IPv4 alone.
/// </summary>
public sealed class OnLinkIPv6NamespaceTests
{
    [Fact]
    public void A_rule_that_drops_the_port_over_IPv6_blocks_the_clients_on_the_outside_network()
    {
        using var host = new Netns("pev6h");
        using var client = new Netns("pev6c");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.2.1/24", client, "eth0", "10.79.2.2/24");
        host.Exec("ip", "-6", "addr", "add", "fd79:2::1/64", "dev", "eth0", "nodad");
        client.Exec("ip", "-6", "addr", "add", "fd79:2::2/64", "dev", "eth0", "nodad");
        host.Exec("ip", "route", "add", "default", "via", "10.79.2.2");
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");
        using var service = host.Start("socat", "TCP6-LISTEN:8080,fork,reuseaddr,ipv6only=0", "SYSTEM:echo served");
        host.WaitForListener(8080);
        var rules = dir.File("rules.nft", "table inet pev6 {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    meta nfproto ipv6 tcp dport 8080 drop\n  }\n}\n");
        host.Exec("nft", "-f", rules);

        // The kernel's answer first: IPv4 clients are served, IPv6 clients on the same network time out.
        Assert.Equal("served", client.Exec("socat", "-T", "5", "-", "TCP4:10.79.2.1:8080,connect-timeout=5").Stdout.Trim());
        var v6 = client.ExecAllowFailure("socat", "-u", "TCP6:[fd79:2::1]:8080,connect-timeout=2", "-");
        Assert.Contains("timed out", v6.Stderr, StringComparison.Ordinal);

        var blocked = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(blocked.GetProperty("cause").GetString() == "firewall_blocked", blocked.ToString());
        var summary = blocked.GetProperty("summary").GetString();
        Assert.Contains("meta nfproto ipv6 tcp dport 8080 drop", summary, StringComparison.Ordinal);
        Assert.Contains("[fd79:2::1]:8080 on eth0", summary, StringComparison.Ordinal);
        Assert.Contains("IPv4 accept, IPv6 drop", summary, StringComparison.Ordinal);

        // The rule gone: both families are served, and the diagnosis agrees.
        host.Exec("nft", "delete", "table", "inet", "pev6");
        Assert.Equal("served", client.Exec("socat", "-T", "5", "-", "TCP6:[fd79:2::1]:8080,connect-timeout=5").Stdout.Trim());
        var ok = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(ok.GetProperty("cause").GetString() == "ok", ok.ToString());
    }
}
