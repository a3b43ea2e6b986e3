using PortExporter.Tests.Support;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// A host whose address is on a bridge over its uplink (br0 with the wire as its port, as on a VM or container host),
/// for real (the built binary, <c>diagnose</c> in the namespace): frames from outside cross the port first, so a drop in
/// the bridge family's input chain, or in the port's netdev ingress, blocks the port though the IP stack's rules are
/// empty; the diagnosis names that chain.
/// </summary>
public sealed class BridgeUplinkNamespaceTests
{
    [Theory]
    [InlineData("table bridge edge {\n  chain in {\n    type filter hook input priority 0;\n    tcp dport 8080 drop\n  }\n}\n", "nftables table edge chain in")]
    [InlineData("table netdev edge {\n  chain in {\n    type filter hook ingress device \"eth0\" priority 0;\n    tcp dport 8080 drop\n  }\n}\n", "nftables table edge chain in")]
    public void A_drop_where_the_bridge_port_is_crossed_blocks_the_port(string rules, string where)
    {
        using var host = new Netns("brhost");
        using var client = new Netns("brout");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.12.254/24", client, "eth0", "10.79.12.2/24");
        host.Exec("ip", "addr", "flush", "dev", "eth0");
        host.Exec("ip", "link", "add", "br0", "type", "bridge");
        host.Exec("ip", "link", "set", "eth0", "master", "br0");
        host.Exec("ip", "addr", "add", "10.79.12.1/24", "dev", "br0");
        host.Exec("ip", "link", "set", "br0", "up");
        host.Exec("ip", "route", "add", "default", "via", "10.79.12.2");
        using var service = host.Start("socat", "TCP4-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo served");
        host.WaitForListener(8080);
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");
        Assert.Equal("served", client.Exec("socat", "-T", "5", "-", "TCP4:10.79.12.1:8080,connect-timeout=3").Stdout.Trim());
        Assert.True(ExporterBinary.Diagnose(host, config, "web").GetProperty("cause").GetString() == "ok");

        host.Exec("nft", "-f", dir.File("rules.nft", rules));

        client.AssertConnectTimesOut("10.79.12.1", 8080);
        var blocked = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(blocked.GetProperty("cause").GetString() == "firewall_blocked", blocked.ToString());
        Assert.Contains($"{where}: handle 2: tcp dport 8080 drop", ExporterBinary.Observed(blocked, "firewall"), StringComparison.Ordinal);
        Assert.Contains("on br0 (port eth0)", ExporterBinary.Observed(blocked, "firewall"), StringComparison.Ordinal);
    }
}
