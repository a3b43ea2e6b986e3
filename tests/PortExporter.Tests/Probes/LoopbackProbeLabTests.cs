using System.Text.Json;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Probes;

/// <summary>
/// Listeners that refuse a loopback address by design (an IPv6-only socket refuses 127.0.0.1, a socket on the
/// host's own address refuses both) are healthy: the refused loopback dial is no evidence and must not make the
/// port "unknown". The built binary's <c>diagnose</c> inside a namespace with IPv4 and IPv6 addresses. The IPv6-only
/// services name their IPv6 address in <c>bind</c>: without it a public port that outside IPv4 clients cannot reach is
/// a wrong address (the last port).
/// </summary>
public sealed class LoopbackProbeLabTests
{
    [Fact]
    public void Listeners_that_refuse_a_loopback_address_by_design_are_ok()
    {
        using var ns = new Netns("lpb");
        using var peer = new Netns("lpbpeer");
        using var dir = new TempDir();
        ns.Link("eth0", "10.79.0.1/24", peer, "eth0", "10.79.0.254/24");
        ns.Exec("ip", "addr", "add", "2001:db8:79::1/64", "dev", "eth0", "nodad");
        peer.Exec("ip", "addr", "add", "2001:db8:79::fe/64", "dev", "eth0", "nodad");
        ns.Exec("ip", "route", "add", "default", "via", "10.79.0.254");
        ns.Exec("ip", "-6", "route", "add", "default", "via", "2001:db8:79::fe");

        ns.Start("socat", "TCP6-LISTEN:8083,bind=[::],ipv6only=1,reuseaddr,fork", "SYSTEM:echo v6");
        ns.Start("socat", "TCP4-LISTEN:8084,bind=10.79.0.1,reuseaddr,fork", "SYSTEM:echo v4");
        ns.Start("socat", "TCP6-LISTEN:8085,bind=[2001:db8:79::1],reuseaddr,fork", "SYSTEM:echo v6addr");
        ns.Start("socat", "TCP6-LISTEN:8086,bind=[::],ipv6only=1,reuseaddr,fork", "SYSTEM:echo v6unbound");
        ns.WaitForListener(8083);
        ns.WaitForListener(8084);
        ns.WaitForListener(8085);
        ns.WaitForListener(8086);
        var config = dir.File("config.yml", """
            ports:
              - name: v6only
                port: 8083
                bind: 2001:db8:79::1
              - name: v4address
                port: 8084
              - name: v6address
                port: 8085
                bind: 2001:db8:79::1
              - name: v6unbound
                port: 8086
            """);

        var diagnose = ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--config.file", config, "--output", "json"));

        using var report = JsonDocument.Parse(diagnose.Stdout);
        var causes = report.RootElement.GetProperty("ports").EnumerateArray()
            .ToDictionary(p => p.GetProperty("service").GetString()!, p => p.GetProperty("cause").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["v6only"] = "ok", ["v4address"] = "ok", ["v6address"] = "ok", ["v6unbound"] = "wrong_address" }, causes);
        Assert.Equal(1, diagnose.ExitCode);
    }
}
