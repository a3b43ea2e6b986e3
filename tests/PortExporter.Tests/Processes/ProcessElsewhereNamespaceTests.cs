using System.Text.Json;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Processes;

/// <summary>
/// The configured process runs in no process beside the port's sockets, for real (the built binary, <c>diagnose</c>
/// in the namespace): a container's service that Docker publishes (its process in the container's network namespace,
/// <c>docker-proxy</c> holding the host port: a stand-in under that name, as the lab's Docker scenarios use) is not
/// down; a service whose port another program took is down, and the diagnosis names the program that holds it.
/// </summary>
public sealed class ProcessElsewhereNamespaceTests
{
    [Fact]
    public void A_containers_service_that_docker_publishes_is_not_down_and_a_port_taken_by_another_program_names_it()
    {
        using var host = new Netns("pehost");
        using var container = new Netns("pectr");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.0.1/24", container, "eth0", "10.79.0.2/24");
        // Names no other process on the machine has (the exporter sees every process of the host).
        var service = Copy(dir, "pe-ctr-web");
        var proxy = Copy(dir, "docker-proxy");
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n    process: pe-ctr-web\n");

        using var inContainer = container.Start(service, "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo from-container");
        container.WaitForListener(80);
        using (var published = host.Start(proxy, "TCP-LISTEN:8080,fork,reuseaddr", "TCP:10.79.0.2:80"))
        {
            host.WaitForListener(8080);
            // The kernel's answer first: the host port reaches the container's service.
            Assert.Equal("from-container", host.Exec("socat", "-T", "5", "-", "TCP4:127.0.0.1:8080,connect-timeout=5").Stdout.Trim());

            var ok = ExporterBinary.Diagnose(host, config, "web");
            Assert.Equal("ok", ok.GetProperty("cause").GetString());
            Assert.Equal(
                $"pe-ctr-web runs in another network namespace, where Docker runs it in a container: docker-proxy pid {published.Id} publishes the port",
                Step(ok, "process").GetProperty("observed").GetString());
            published.Kill(entireProcessTree: true);
            published.WaitForExit();
        }

        // Another program takes the port on the host: the service (not running here) could not bind it.
        using var squatter = host.Start("socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo squatter");
        host.WaitForListener(8080);
        var down = ExporterBinary.Diagnose(host, config, "web");
        Assert.Equal("process_down", down.GetProperty("cause").GetString());
        Assert.Equal($"no process named pe-ctr-web is running; socat pid {squatter.Id} holds 8080/tcp", Step(down, "process").GetProperty("observed").GetString());
        Assert.StartsWith($"Find out why socat pid {squatter.Id} holds 8080/tcp", down.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_containers_service_published_by_dnat_alone_is_not_down_and_its_ipv6_refusal_is_no_failure()
    {
        // Docker with "userland-proxy": false (a pod's hostPort alike): no process holds the host port; the nat table
        // sends it to the container, for the host's own connections too (route_localnet), over IPv4 only.
        using var host = new Netns("pehost");
        using var container = new Netns("pectr");
        using var client = new Netns("peout");
        using var dir = new TempDir();
        host.Link("docker0", "172.30.9.1/24", container, "eth0", "172.30.9.2/24");
        host.Link("eth0", "10.79.1.1/24", client, "eth0", "10.79.1.2/24");
        host.Exec("ip", "-6", "addr", "add", "fd79::1/64", "dev", "eth0", "nodad");
        container.Exec("ip", "route", "add", "default", "via", "172.30.9.1");
        host.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.docker0.route_localnet=1");
        foreach (var rule in new[]
        {
            "-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DNAT -p tcp --dport 8080 --to-destination 172.30.9.2:80",
            "-t nat -A OUTPUT -m addrtype --dst-type LOCAL -j DNAT -p tcp --dport 8080 --to-destination 172.30.9.2:80",
            "-t nat -A POSTROUTING -o docker0 -m addrtype --src-type LOCAL -j MASQUERADE",
            "-A FORWARD -d 172.30.9.2/32 -o docker0 -p tcp --dport 80 -j ACCEPT",
        })
        {
            host.Exec(["iptables", .. rule.Split(' ')]);
        }

        var service = Copy(dir, "pe-nat-web");
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n    process: pe-nat-web\n");
        using var inContainer = container.Start(service, "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo from-container");
        container.WaitForListener(80);
        // The kernel's answer first: an outside client and the host itself reach the container; IPv6 is refused.
        Assert.Equal("from-container", client.Exec("socat", "-T", "5", "-", "TCP4:10.79.1.1:8080,connect-timeout=5").Stdout.Trim());
        Assert.Equal("from-container", host.Exec("socat", "-T", "5", "-", "TCP4:127.0.0.1:8080,connect-timeout=5").Stdout.Trim());
        Assert.Contains("refused", host.ExecAllowFailure("socat", "-T", "5", "-", "TCP6:[fd79::1]:8080,connect-timeout=5").Stderr, StringComparison.OrdinalIgnoreCase);

        var ok = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(ok.GetProperty("cause").GetString() == "ok", ok.ToString());
        Assert.Equal(
            $"pe-nat-web runs in another network namespace: the DNAT sends 8080/tcp to 172.30.9.2:80, where pe-nat-web pid {inContainer.Id} listens (in {NetnsLink(inContainer.Id)} of pe-nat-web pid {inContainer.Id})",
            Step(ok, "process").GetProperty("observed").GetString());
        Assert.EndsWith(
            "([fd79::1]:8080 refused: the host's own connections there are not translated by the DNAT that publishes the port)",
            Step(ok, "probes").GetProperty("observed").GetString(),
            StringComparison.Ordinal);

        // The service stops: the container's namespace is still there, nothing listens in it.
        inContainer.Kill(entireProcessTree: true);
        inContainer.WaitForExit();
        using var idle = container.Start("sleep", "60");
        var down = ExporterBinary.Diagnose(host, config, "web");
        Assert.Equal("process_down", down.GetProperty("cause").GetString());
        Assert.Contains("not_listening", down.GetProperty("findings").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void An_exporter_that_cannot_see_the_process_holding_the_port_does_not_call_the_service_down()
    {
        // The exporter in a PID namespace of its own (a container run without --pid=host): the service listens, but its
        // process is not among those the exporter sees.
        using var host = new Netns("pepid");
        using var dir = new TempDir();
        var service = Copy(dir, "pe-pid-web");
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n    process: pe-pid-web\n");
        using var running = host.Start(service, "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo served");
        host.WaitForListener(8080);

        var hidden = ExporterBinary.Diagnose(host, config, "web", ownPidNamespace: true);

        Assert.True(hidden.GetProperty("cause").GetString() == "unknown", hidden.ToString());
        Assert.StartsWith("no process named pe-pid-web is visible, but 0.0.0.0:8080 listens", ExporterBinary.Observed(hidden, "process"), StringComparison.Ordinal);
        // Seen from the host's PID namespace, the same service runs.
        Assert.Equal("pe-pid-web running", ExporterBinary.Observed(ExporterBinary.Diagnose(host, config, "web"), "process"));
    }

    private static string? NetnsLink(int pid) => new FileInfo($"/proc/{pid}/ns/net").LinkTarget;

    private static string Copy(TempDir dir, string name)
    {
        var path = Path.Combine(dir.Path, name);
        File.Copy("/usr/bin/socat", path); // keeps its mode: executable
        return path;
    }

    private static JsonElement Step(JsonElement port, string check) =>
        port.GetProperty("evidence").EnumerateArray().Single(s => s.GetProperty("check").GetString() == check);
}
