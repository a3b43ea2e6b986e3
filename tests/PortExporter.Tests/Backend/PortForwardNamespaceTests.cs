using PortExporter.Tests.Support;

namespace PortExporter.Tests.Backend;

/// <summary>
/// A router's port forward, for real (the built binary, <c>diagnose</c> in the router's namespace): the nat table sends
/// the port to a server on the LAN. The exporter runs in a PID namespace of its own, so the server's process is not
/// among those it sees, as another machine's would not be: the backend is another host's to check, and the host's
/// own connections, which the forward does not translate, are no failure.
/// </summary>
public sealed class PortForwardNamespaceTests
{
    [Fact]
    public void A_port_forwarded_to_a_server_on_the_lan_is_reachable_and_the_server_is_that_hosts_to_check()
    {
        using var router = new Netns("pfrt");
        using var client = new Netns("pfout");
        using var server = new Netns("pflan");
        using var dir = new TempDir();
        router.Link("eth0", "10.79.3.1/24", client, "eth0", "10.79.3.2/24");
        router.Link("lan0", "192.168.79.1/24", server, "eth0", "192.168.79.10/24");
        router.Exec("ip", "route", "add", "default", "via", "10.79.3.2");
        server.Exec("ip", "route", "add", "default", "via", "192.168.79.1");
        router.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        router.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-i", "eth0", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "192.168.79.10:80");
        using var service = server.Start("socat", "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo from-lan");
        server.WaitForListener(80);
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");

        // The kernel's answer first: an outside client is served by the LAN server; the router itself is refused.
        Assert.Equal("from-lan", client.Exec("socat", "-T", "5", "-", "TCP4:10.79.3.1:8080,connect-timeout=5").Stdout.Trim());
        Assert.Contains("refused", router.ExecAllowFailure("socat", "-T", "5", "-", "TCP4:10.79.3.1:8080,connect-timeout=5").Stderr, StringComparison.OrdinalIgnoreCase);

        var web = ExporterBinary.Diagnose(router, config, "web", ownPidNamespace: true);

        Assert.True(web.GetProperty("cause").GetString() == "ok", web.ToString());
        Assert.Equal("backend 192.168.79.10:80 on another host (on the network of lan0): its listener is that host's to check", ExporterBinary.Observed(web, "backend listening"));
        Assert.EndsWith("refused: the host's own connections there are not translated by the DNAT that publishes the port", ExporterBinary.Observed(web, "probes"), StringComparison.Ordinal);
    }
}
