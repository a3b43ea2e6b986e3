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
        host.Exec("ip", "-6", "addr", "add", "fd79:7::1/64", "dev", "eth0", "nodad");
        client.Exec("ip", "-6", "addr", "add", "fd79:7::2/64", "dev", "eth0", "nodad");
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
}
