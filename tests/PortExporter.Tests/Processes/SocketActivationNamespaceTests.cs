using PortExporter.Tests.Support;

namespace PortExporter.Tests.Processes;

/// <summary>
/// A socket-activated service, for real: <c>systemd-socket-activate --accept --inetd</c> holds the listening socket and starts
/// the service for each connection, as systemd does for <c>ssh.socket</c> or <c>cockpit.socket</c>. Between connections
/// the service does not run, and the port works: the exporter (the built binary, <c>diagnose</c> in the namespace)
/// says ok and why, instead of paging for a process that is not meant to run. Once the activator is gone nothing
/// listens, and the service not running is the cause again.
/// </summary>
public sealed class SocketActivationNamespaceTests
{
    [Fact]
    public void A_service_whose_socket_an_activator_holds_is_ok_while_it_rests_and_down_once_the_activator_is_gone()
    {
        using var server = new Netns("sasrv");
        using var client = new Netns("sacli");
        using var dir = new TempDir();
        server.Link("eth0", "10.78.0.1/24", client, "eth0", "10.78.0.2/24");
        // The service: cat under a name no other process on the host has (the exporter sees every process of the host).
        var service = System.IO.Path.Combine(dir.Path, "pe-activated");
        File.Copy("/usr/bin/cat", service); // keeps its mode: executable
        var config = dir.File("config.yml", "ports:\n  - name: echo\n    port: 8080\n    process: pe-activated\n");

        using var activator = server.Start("systemd-socket-activate", "--listen=8080", "--accept", "--inetd", service);
        server.WaitForListener(8080);

        var resting = ExporterBinary.Diagnose(server, config, "echo");
        Assert.Equal("ok", resting.GetProperty("cause").GetString());
        var process = resting.GetProperty("evidence").EnumerateArray().Single(s => s.GetProperty("check").GetString() == "process");
        Assert.Equal("pass", process.GetProperty("status").GetString());
        Assert.Contains("pe-activated not running: systemd-socket- pid", process.GetProperty("observed").GetString(), StringComparison.Ordinal);
        Assert.Contains("holds the port and starts it on a connection (socket activation)", process.GetProperty("observed").GetString(), StringComparison.Ordinal);

        // The kernel's answer: a client is served by a service started for it.
        var answered = client.Exec("sh", "-c", "echo hello | socat -t 2 - TCP4:10.78.0.1:8080,connect-timeout=10");
        Assert.Equal("hello", answered.Stdout.Trim());

        activator.Kill(entireProcessTree: true);
        activator.WaitForExit();
        var gone = ExporterBinary.Diagnose(server, config, "echo");
        Assert.Equal("process_down", gone.GetProperty("cause").GetString());
    }
}
