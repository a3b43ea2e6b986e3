using PortExporter.Tests.Support;

namespace PortExporter.Tests.Backend;

/// <summary>
/// A port published by Docker's userland proxy alone (dockerd with <c>"iptables": false</c>: no DNAT, docker-proxy
/// holds the host port and dials the container), for real: the real <c>docker-proxy</c> binary in the host namespace,
/// the container a namespace of its own, the built binary's <c>diagnose</c>. With nothing listening in the container
/// the proxy still accepts every connection, so a client connects and is closed at once: the exporter names the dead
/// backend instead of trusting the connect.
/// </summary>
public sealed class UserlandProxyNamespaceTests
{
    private const string DockerProxy = "/usr/sbin/docker-proxy";

    [Fact]
    public void A_container_whose_service_is_down_behind_docker_proxy_is_not_listening_though_clients_connect()
    {
        Assert.True(File.Exists(DockerProxy), $"{DockerProxy} is missing: scripts/test installs docker.io");
        using var host = new Netns("pxhost");
        using var container = new Netns("pxctr");
        using var client = new Netns("pxout");
        using var dir = new TempDir();
        host.Link("eth0", "10.79.10.1/24", client, "eth0", "10.79.10.2/24");
        host.Link("veth0", "172.30.9.1/24", container, "eth0", "172.30.9.2/24");
        using var shell = container.Start("sleep", "600");
        // dockerd hands the proxy a pipe as fd 3 to hear it started; without one, the listener would take fd 3 and be closed.
        using var proxy = host.Start("sh", "-c", $"exec {DockerProxy} -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.30.9.2 -container-port 80 3>/dev/null");
        host.WaitForListener(8080);
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");

        // The client's view: connected, then closed with nothing served.
        var connected = client.ExecAllowFailure("socat", "-T", "5", "-", "TCP4:10.79.10.1:8080,connect-timeout=3");
        Assert.Equal((0, string.Empty), (connected.ExitCode, connected.Stdout.Trim()));

        var down = ExporterBinary.Diagnose(host, config, "web");

        Assert.True(down.GetProperty("cause").GetString() == "not_listening", down.ToString());
        var observed = ExporterBinary.Observed(down, "backend listening");
        Assert.StartsWith("docker-proxy pid ", observed, StringComparison.Ordinal);
        Assert.Contains("holds 8080/tcp and forwards it to 172.30.9.2:80: nothing listens there", observed, StringComparison.Ordinal);
        Assert.Contains("172.30.9.2:80", down.GetProperty("fix").GetString(), StringComparison.Ordinal);

        // The service started in the container: served through the proxy, and the backend found listening.
        using var service = container.Start("socat", "TCP4-LISTEN:80,fork,reuseaddr", "SYSTEM:echo from-container");
        container.WaitForListener(80);
        Assert.Equal("from-container", client.Exec("socat", "-T", "5", "-", "TCP4:10.79.10.1:8080,connect-timeout=3").Stdout.Trim());
        var up = ExporterBinary.Diagnose(host, config, "web");
        Assert.True(up.GetProperty("cause").GetString() == "ok", up.ToString());
        Assert.StartsWith("backend 172.30.9.2:80 listening", ExporterBinary.Observed(up, "backend listening"), StringComparison.Ordinal);
    }
}
