using PortExporter.Tests.Support;

namespace PortExporter.Tests.Backend;

/// <summary>
/// A container published over both address families by DNAT alone (Docker on an IPv6-enabled network without a
/// userland proxy, a pod's hostPort on a dual-stack cluster), for real (the built binary, <c>diagnose</c> in the host's
/// namespace): the IPv4 and the IPv6 DNAT each send the port to the container's address of their family, so the
/// backend of each is checked, and the forwarding rules of each judge its way.
/// </summary>
public sealed class DualStackPublicationNamespaceTests
{
    [Fact]
    public void The_ipv6_backend_of_a_dual_stack_publication_is_checked_and_its_forward_judged()
    {
        using var host = new Netns("dshost");
        using var container = new Netns("dsctr");
        using var client = new Netns("dsout");
        using var dir = new TempDir();
        Topology(host, container, client, 11, 5);
        host.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "172.30.11.2:80");
        host.Exec("ip6tables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "[fd30:b::2]:80");
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");

        // The container's service listens on IPv4 only: IPv4 clients are served, IPv6 clients refused by the container.
        using (var v4Only = container.Start("socat", "TCP4-LISTEN:80,fork,reuseaddr", "SYSTEM:echo from-container"))
        {
            container.WaitForListener(80);
            Assert.Equal("from-container", Dial(client, "TCP4:10.79.5.1:8080").Stdout.Trim());
            Assert.Contains("refused", Dial(client, "TCP6:[fd79:5::1]:8080").Stderr, StringComparison.OrdinalIgnoreCase);

            var refused = ExporterBinary.Diagnose(host, config, "web");

            Assert.True(refused.GetProperty("cause").GetString() == "not_listening", refused.ToString());
            Assert.StartsWith("the DNAT sends 8080/tcp to [fd30:b::2]:80: nothing listens there", ExporterBinary.Observed(refused, "backend listening"), StringComparison.Ordinal);
            Assert.Contains("listen on [::]:80", refused.GetProperty("fix").GetString(), StringComparison.Ordinal);
            v4Only.Kill(entireProcessTree: true);
            v4Only.WaitForExit();
        }

        // Listening in both families: both are served, and the diagnosis is ok with both backends listening.
        using var dual = container.Start("socat", "TCP6-LISTEN:80,fork,reuseaddr,ipv6only=0", "SYSTEM:echo from-container");
        container.WaitForListener(80);
        Assert.Equal("from-container", Dial(client, "TCP6:[fd79:5::1]:8080").Stdout.Trim());
        var ok = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(ok.GetProperty("cause").GetString() == "ok", ok.ToString());
        Assert.Contains("backend [fd30:b::2]:80 listening", ExporterBinary.Observed(ok, "backend listening"), StringComparison.Ordinal);

        // The IPv6 forward is dropped (ip6tables' FORWARD policy): IPv6 clients time out, IPv4 ones are served.
        host.Exec("ip6tables", "-P", "FORWARD", "DROP");
        Assert.Contains("timed out", Dial(client, "TCP6:[fd79:5::1]:8080").Stderr, StringComparison.Ordinal);
        var blocked = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(blocked.GetProperty("cause").GetString() == "firewall_blocked", blocked.ToString());
        Assert.Contains("the rules tell the address families apart: IPv4 accept, IPv6 drop", ExporterBinary.Observed(blocked, "firewall"), StringComparison.Ordinal);

        // Forwarded again, but the host's own input drops everything IPv6, neighbour discovery too: IPv6 clients never
        // reach the DNAT. The published IPv6 side is still judged (its backend still found), and blocked.
        host.Exec("ip6tables", "-P", "FORWARD", "ACCEPT");
        host.Exec("ip6tables", "-P", "INPUT", "DROP");
        client.ExecAllowFailure("ip", "-6", "neigh", "flush", "dev", "eth0");
        host.ExecAllowFailure("ip", "-6", "neigh", "flush", "dev", "eth0");
        Assert.NotEqual(0, Dial(client, "TCP6:[fd79:5::1]:8080").ExitCode);
        var noNeighbours = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(noNeighbours.GetProperty("cause").GetString() == "firewall_blocked", noNeighbours.ToString());
        Assert.Contains("IPv6 neighbour discovery on eth0 is blocked", ExporterBinary.Observed(noNeighbours, "firewall"), StringComparison.Ordinal);
        Assert.Contains("backend [fd30:b::2]:80 listening", ExporterBinary.Observed(noNeighbours, "backend listening"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_published_over_ipv6_only_refuses_ipv4_clients_and_is_ok_once_published_over_both_or_bound_to_ipv6()
    {
        using var host = new Netns("d6host");
        using var container = new Netns("d6ctr");
        using var client = new Netns("d6out");
        using var dir = new TempDir();
        Topology(host, container, client, 12, 6);
        host.Exec("ip", "-6", "route", "add", "default", "via", "fd79:6::2");
        // Published by an IPv6 DNAT alone (docker -p [::]:8080:80 with ip6tables): nothing on the host listens.
        host.Exec("ip6tables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "[fd30:c::2]:80");
        using var service = container.Start("socat", "TCP6-LISTEN:80,fork,reuseaddr,ipv6only=0", "SYSTEM:echo from-container");
        container.WaitForListener(80);
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");
        Assert.Equal("from-container", Dial(client, "TCP6:[fd79:6::1]:8080").Stdout.Trim());
        Assert.Contains("refused", Dial(client, "TCP4:10.79.6.1:8080").Stderr, StringComparison.OrdinalIgnoreCase);

        var v6Only = ExporterBinary.Diagnose(host, config, "web");

        Assert.True(v6Only.GetProperty("cause").GetString() == "not_listening", v6Only.ToString());
        Assert.StartsWith("web (8080/tcp) is published over IPv6 only, by a DNAT to [fd30:c::2]:80: IPv4 clients, to 10.79.6.1, find nothing listening and are refused.", v6Only.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Publish the port over IPv4 too", v6Only.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Contains("backend [fd30:c::2]:80 listening", ExporterBinary.Observed(v6Only, "backend listening"), StringComparison.Ordinal);

        // IPv6 only is the intent: the port's address says so, and it is ok.
        var bound = dir.File("bound.yml", "ports:\n  - name: web\n    port: 8080\n    bind: \"fd79:6::1\"\n");
        var intended = ExporterBinary.Diagnose(host, bound, "web");
        Assert.True(intended.GetProperty("cause").GetString() == "ok", intended.ToString());

        // Published over IPv4 too: both families served, ok.
        host.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "172.30.12.2:80");
        Assert.Equal("from-container", Dial(client, "TCP4:10.79.6.1:8080").Stdout.Trim());
        var both = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(both.GetProperty("cause").GetString() == "ok", both.ToString());
    }

    /// <summary>
    /// The host between a container on docker0 (172.30.C.2, fd30:X::2 where X is C in hex) and an outside client on eth0
    /// (10.79.O.2, fd79:O::2), both families, forwarding on, the IPv4 default route by the client.
    /// </summary>
    private static void Topology(Netns host, Netns container, Netns client, int c, int o)
    {
        var x = c.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        host.Link("docker0", $"172.30.{c}.1/24", container, "eth0", $"172.30.{c}.2/24");
        host.Link("eth0", $"10.79.{o}.1/24", client, "eth0", $"10.79.{o}.2/24");
        host.AddIPv6("docker0", $"fd30:{x}::1/64");
        container.AddIPv6("eth0", $"fd30:{x}::2/64");
        host.AddIPv6("eth0", $"fd79:{o}::1/64");
        client.AddIPv6("eth0", $"fd79:{o}::2/64");
        host.Exec("ip", "route", "add", "default", "via", $"10.79.{o}.2");
        container.Exec("ip", "route", "add", "default", "via", $"172.30.{c}.1");
        container.Exec("ip", "-6", "route", "add", "default", "via", $"fd30:{x}::1");
        host.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
    }

    private static Shell.Result Dial(Netns from, string address) =>
        from.ExecAllowFailure("socat", "-T", "5", "-", $"{address},connect-timeout=3");
}
