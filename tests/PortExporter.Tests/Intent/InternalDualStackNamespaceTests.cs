using PortExporter.Tests.Support;

namespace PortExporter.Tests.Intent;

/// <summary>
/// An internal port of a dual-stack service on a host whose internal network has both families, for real (the built
/// binary, <c>diagnose</c> in the namespace): an allowlist written for IPv4 alone ("forgot the IPv6 rule") drops the
/// LAN's IPv6 clients, who prefer IPv6. The internal promise is judged in both families; the uplink's own IPv6
/// network, with no IPv6 default route, stays outside; the fix admits the LAN by its interface, not from everywhere.
/// </summary>
public sealed class InternalDualStackNamespaceTests
{
    private const string Rules = """
        flush ruleset
        table inet filter {
            chain input {
                type filter hook input priority 0; policy drop;
                iif "lo" accept
                ct state established,related accept
                icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept
                iifname "eth1" ip saddr 192.168.51.0/24 tcp dport 8080 accept
            }
        }
        """;

    [Fact]
    public void An_ipv4_only_allowlist_breaks_the_internal_promise_for_the_lans_ipv6_clients()
    {
        using var host = new Netns("idshost");
        using var uplink = new Netns("idsout");
        using var lan = new Netns("idslan");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.6.1/24", uplink, "eth0", "10.79.6.2/24");
        host.Link("eth1", "192.168.51.1/24", lan, "eth0", "192.168.51.2/24");
        host.AddIPv6("eth0", "fd79:6::1/64");
        host.AddIPv6("eth1", "fd51::1/64");
        lan.AddIPv6("eth0", "fd51::2/64");
        host.Exec("ip", "route", "add", "default", "via", "10.79.6.2");
        host.Exec("nft", "-f", dir.File("rules.nft", Rules));
        using var service = host.Start("socat", "TCP6-LISTEN:8080,fork,reuseaddr,ipv6only=0", "SYSTEM:echo served");
        host.WaitForListener(8080);
        var config = dir.File("config.yml", "ports:\n  - name: db\n    port: 8080\n    expose: internal\n");

        // The kernel's answer first: the LAN is served over IPv4 and dropped over IPv6.
        Assert.Equal("served", lan.Exec("socat", "-T", "5", "-", "TCP4:192.168.51.1:8080,connect-timeout=3").Stdout.Trim());
        Assert.Contains("timed out", lan.ExecAllowFailure("socat", "-T", "5", "-", "TCP6:[fd51::1]:8080,connect-timeout=2").Stderr, StringComparison.Ordinal);

        var blocked = ExporterBinary.Diagnose(host, config, "db");

        Assert.True(blocked.GetProperty("cause").GetString() == "firewall_blocked", blocked.ToString());
        Assert.Contains(
            "the rules tell the internal networks apart: 192.168.51.2 on eth1 accept, fd51::2 on eth1 drop",
            ExporterBinary.Observed(blocked, "firewall"),
            StringComparison.Ordinal);
        Assert.DoesNotContain("on eth0 drop", ExporterBinary.Observed(blocked, "firewall"), StringComparison.Ordinal);
        Assert.StartsWith("Allow it before the deciding rule, e.g. nft insert rule inet filter input iifname \"eth1\" tcp dport 8080 accept", blocked.GetProperty("fix").GetString(), StringComparison.Ordinal);

        // The fix applied: served both ways, the promise kept, outside still closed.
        host.Exec("nft", "insert", "rule", "inet", "filter", "input", "iifname", "eth1", "tcp", "dport", "8080", "accept");
        Assert.Equal("served", lan.Exec("socat", "-T", "5", "-", "TCP6:[fd51::1]:8080,connect-timeout=3").Stdout.Trim());
        var ok = ExporterBinary.Diagnose(host, config, "db");
        Assert.True(ok.GetProperty("cause").GetString() == "ok", ok.ToString());
    }
}
