using PortExporter.Tests.Support;

namespace PortExporter.Tests.Backend;

/// <summary>
/// A port published by a DNAT to this host's own 127.0.0.1 (a service kept on loopback, exposed through the nat
/// table), and a REDIRECT, for real (the built binary, <c>diagnose</c> in the namespace, also as pid 1 of a PID
/// namespace of its own, where the exporter's namespace is the one pid 1 is in, as on a host): the kernel delivers
/// the DNAT only with route_localnet on, and the backend behind both is looked for in the exporter's own namespace.
/// </summary>
public sealed class LoopbackDnatNamespaceTests
{
    [Fact]
    public void A_dnat_to_loopback_is_blocked_without_route_localnet_and_served_with_it()
    {
        using var host = new Netns("lohost");
        using var client = new Netns("loout");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.8.1/24", client, "eth0", "10.79.8.2/24");
        host.Exec("ip", "route", "add", "default", "via", "10.79.8.2");
        host.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "127.0.0.1:8081");
        host.Exec("sysctl", "-qw", "net.ipv4.conf.all.route_localnet=0", "net.ipv4.conf.eth0.route_localnet=0");
        using var service = host.Start("socat", "TCP4-LISTEN:8081,bind=127.0.0.1,fork,reuseaddr", "SYSTEM:echo on-loopback");
        host.WaitForListener(8081);
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");

        // The kernel's answer first: the DNAT to loopback is a martian from eth0.
        Assert.NotEqual(0, client.ExecAllowFailure("socat", "-T", "5", "-", "TCP4:10.79.8.1:8080,connect-timeout=3").ExitCode);

        var blocked = ExporterBinary.Diagnose(host, config, "web");

        Assert.True(blocked.GetProperty("cause").GetString() == "firewall_blocked", blocked.ToString());
        Assert.Contains("net.ipv4.conf.eth0.route_localnet = 0", ExporterBinary.Observed(blocked, "firewall"), StringComparison.Ordinal);
        Assert.Contains("sysctl -w net.ipv4.conf.eth0.route_localnet=1", blocked.GetProperty("fix").GetString(), StringComparison.Ordinal);

        // The fix: served, and the loopback backend found listening in the exporter's own namespace, from either PID namespace.
        host.Exec("sysctl", "-qw", "net.ipv4.conf.eth0.route_localnet=1");
        Assert.Equal("on-loopback", client.Exec("socat", "-T", "5", "-", "TCP4:10.79.8.1:8080,connect-timeout=3").Stdout.Trim());
        foreach (var ownPidNamespace in (bool[])[false, true])
        {
            var ok = ExporterBinary.Diagnose(host, config, "web", ownPidNamespace);
            Assert.True(ok.GetProperty("cause").GetString() == "ok", ok.ToString());
            Assert.StartsWith("backend 127.0.0.1:8081 listening", ExporterBinary.Observed(ok, "backend listening"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_redirect_is_checked_in_the_exporters_own_namespace_when_it_is_pid_1s()
    {
        using var host = new Netns("rdhost");
        using var client = new Netns("rdout");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.9.1/24", client, "eth0", "10.79.9.2/24");
        host.Exec("ip", "route", "add", "default", "via", "10.79.9.2");
        host.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "REDIRECT", "--to-ports", "8082");
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 80\n");

        // Nothing on 8082: the REDIRECT leads nowhere, and that is the finding, not missing evidence.
        var down = ExporterBinary.Diagnose(host, config, "web", ownPidNamespace: true);
        Assert.True(down.GetProperty("cause").GetString() == "not_listening", down.ToString());
        Assert.StartsWith("the firewall's nat rule sends 80/tcp to ", ExporterBinary.Observed(down, "backend listening"), StringComparison.Ordinal);

        using var service = host.Start("socat", "TCP4-LISTEN:8082,fork,reuseaddr", "SYSTEM:echo redirected");
        host.WaitForListener(8082);
        Assert.Equal("redirected", client.Exec("socat", "-T", "5", "-", "TCP4:10.79.9.1:80,connect-timeout=3").Stdout.Trim());
        var up = ExporterBinary.Diagnose(host, config, "web", ownPidNamespace: true);
        Assert.NotEqual("not_listening", up.GetProperty("cause").GetString());
        Assert.Contains(":8082 listening", ExporterBinary.Observed(up, "backend listening"), StringComparison.Ordinal);
    }
}
