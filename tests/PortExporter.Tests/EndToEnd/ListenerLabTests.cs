using PortExporter.Tests.Support;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.EndToEnd;

/// <summary>
/// The built exporter inside a fresh namespace with real listeners: scraped over HTTP, then a listener is
/// killed and the change must show.
/// </summary>
public sealed class ListenerLabTests
{
    [Fact]
    public void Sees_listeners_scope_owner_and_a_service_that_dies()
    {
        using var ns = new Netns("e2e");
        using var peer = new Netns("e2epeer");
        using var dir = new TempDir();
        ns.Link("eth0", "10.77.0.1/24", peer, "eth0", "10.77.0.254/24");
        ns.Exec("ip", "route", "add", "default", "via", "10.77.0.254");

        // A copy of socat under its own name: the process table is shared with every other socat on the machine.
        var webBinary = Path.Combine(dir.Path, "pe-e2e-web");
        File.Copy("/usr/bin/socat", webBinary);
        var web = ns.Start(webBinary, "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hello");
        ns.Start("socat", "TCP-LISTEN:8081,bind=127.0.0.1,reuseaddr,fork", "SYSTEM:echo admin");
        ns.Start("socat", "TCP6-LISTEN:8082,bind=[::],ipv6only=1,reuseaddr,fork", "SYSTEM:echo v6");
        ns.Start("socat", "UDP4-RECVFROM:5353,bind=0.0.0.0,fork", "SYSTEM:echo dns");
        ns.WaitForListener(8080);
        ns.WaitForListener(8081);
        ns.WaitForListener(8082);
        ns.WaitForListener(5353, udp: true);

        var config = dir.File("config.yml", """
            web:
              min_collection_interval: 1ms  # every scrape collects afresh: the test changes the host between scrapes
            ports:
              - name: web
                port: 8080
                process: pe-e2e-web
                bind: 10.77.0.1
              - name: admin
                port: 8081
              - name: v6
                port: 8082
                bind: 10.77.0.1
              - name: dns
                port: 5353
                protocol: udp
              - name: missing
                port: 8090
            """);
        var exporter = new ExporterInNamespace(ns, config);
        var m = exporter.ScrapeAfterProbeRound();

        (string, string)[] webPort = [("service", "web"), ("port", "8080"), ("protocol", "tcp")];
        Assert.Equal(1, Value(m, "port_listening", webPort));
        Assert.Equal(1, Value(m, "port_listener_info", [.. webPort, ("address", "0.0.0.0"), ("scope", "wildcard"), ("process", "pe-e2e-web")]));
        Assert.Equal(1, Value(m, "port_exposed", webPort));
        Assert.Equal(1, Value(m, "port_process_running", webPort));
        Assert.Equal(1, Value(m, "port_listener_info", ("service", "admin"), ("scope", "loopback"), ("address", "127.0.0.1")));
        Assert.Equal(0, Value(m, "port_exposed", ("service", "admin")));
        Assert.Equal(1, Value(m, "port_listener_info", ("service", "v6"), ("scope", "wildcard"), ("address", "::")));
        Assert.Equal(0, Value(m, "port_exposed", ("service", "v6")));
        Assert.Equal(1, Value(m, "port_listening", ("service", "dns"), ("protocol", "udp")));
        Assert.Equal(0, Value(m, "port_listening", ("service", "missing")));

        Assert.Equal(1, Value(m, "port_diagnosis", [.. webPort, ("cause", "ok")]));
        Assert.Equal(1, Value(m, "port_diagnosis", ("service", "admin"), ("cause", "loopback_only")));
        Assert.Equal(1, Value(m, "port_diagnosis", ("service", "v6"), ("cause", "wrong_address")));
        Assert.Equal(1, Value(m, "port_diagnosis", ("service", "missing"), ("cause", "not_listening")));
        Assert.Equal(1, Value(m, "port_exporter_collector_success", ("collector", "sockets")));

        web.Kill(entireProcessTree: true);
        web.WaitForExit();
        m = exporter.Scrape();
        Assert.Equal(0, Value(m, "port_listening", webPort));
        Assert.Equal(0, Value(m, "port_process_running", webPort));
        Assert.Equal(1, Value(m, "port_diagnosis", [.. webPort, ("cause", "process_down")]));
        Assert.Single(Series(m, "port_diagnosis"), s => s.Contains("service=\"web\"", StringComparison.Ordinal));

        var diagnose = ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--config.file", config, "--output", "json"));
        Assert.Equal(1, diagnose.ExitCode);
        using var report = System.Text.Json.JsonDocument.Parse(diagnose.Stdout);
        var causes = report.RootElement.GetProperty("ports").EnumerateArray().ToDictionary(p => p.GetProperty("service").GetString()!, p => p.GetProperty("cause").GetString());
        Assert.Equal("process_down", causes["web"]);
        Assert.Equal("loopback_only", causes["admin"]);
    }
}
