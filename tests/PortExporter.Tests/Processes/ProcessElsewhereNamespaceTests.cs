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

    private static string Copy(TempDir dir, string name)
    {
        var path = Path.Combine(dir.Path, name);
        File.Copy("/usr/bin/socat", path); // keeps its mode: executable
        return path;
    }

    private static JsonElement Step(JsonElement port, string check) =>
        port.GetProperty("evidence").EnumerateArray().Single(s => s.GetProperty("check").GetString() == check);
}
