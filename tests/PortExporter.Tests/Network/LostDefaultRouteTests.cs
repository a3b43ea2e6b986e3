using System.Text.Json;
using PortExporter.Core.Network;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Network;

/// <summary>
/// A default route the serving exporter saw and the host then lost: outside clients get no answer, and the port's
/// diagnosis says so; a host that never had one (seen by a process that starts without it) is left as it was.
/// </summary>
public sealed class LostDefaultRouteTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 23, 40, 0, TimeSpan.Zero);

    [Fact]
    public void A_default_route_is_lost_only_once_it_was_seen()
    {
        var memory = new DefaultRouteMemory();
        var both = new HostNetwork([], "eth0", "eth1");
        var none = new HostNetwork([], null, null);

        Assert.Empty(memory.Observe(none, T0));
        Assert.Empty(memory.Observe(both, T0.AddSeconds(1)));
        var lost = memory.Observe(new HostNetwork([], null, "eth1"), T0.AddSeconds(2));
        Assert.Equal([new LostDefaultRoute(4, "eth0", T0.AddSeconds(1))], lost);
        Assert.Equal("the IPv4 default route by eth0, last seen 2026-12-04 23:40:01Z", lost[0].Describe());
        Assert.Equal([4, 6], memory.Observe(none, T0.AddSeconds(3)).Select(r => r.IpVersion));
        Assert.Empty(memory.Observe(both, T0.AddSeconds(4)));
    }

    [Fact]
    public async Task A_serving_exporter_blames_the_lost_default_route_until_it_is_back()
    {
        using var lab = new WebServiceLab("dflost", 97, "pe-dflost");
        lab.Peer.Exec("ip", "addr", "add", "198.51.100.9/32", "dev", "lo");
        using var exporter = new RunningExporter(lab.Ns, ["--config.file", lab.Config]);
        await exporter.WarmUpAsync();
        await exporter.ReadUntilAsync(body => Port(body).GetProperty("cause").GetString() == "ok", "port 8080 ok", "/diagnose?format=json");
        Assert.Equal("hello", lab.Peer.Exec("socat", "-T", "5", "-", "TCP4:10.97.0.1:8080,connect-timeout=5,bind=198.51.100.9").Stdout.Trim());

        // The default route goes (a DHCP client giving up, a network restart): a client from outside the link sends
        // its SYN in, and the SYN-ACK has nowhere to go.
        lab.Ns.Exec("ip", "route", "del", "default");
        lab.Peer.AssertConnectTimesOut("10.97.0.1", 8080, from: "198.51.100.9");

        var lost = Port((await exporter.NextScrapeAsync("/diagnose?format=json")).Body);
        Assert.Equal("firewall_blocked", lost.GetProperty("cause").GetString());
        Assert.Contains("the host has no route to 203.0.113.1, not even a default one; the IPv4 default route by eth0, last seen", lost.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Restore the default route the outside clients' replies left by", lost.GetProperty("fix").GetString(), StringComparison.Ordinal);

        // A process that never saw the route cannot tell a lost one from a host that routes only its own networks.
        using var alone = JsonDocument.Parse(lab.Ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--config.file", lab.Config, "--output", "json")).Stdout);
        Assert.Equal("ok", Port(alone.RootElement).GetProperty("cause").GetString());

        lab.Ns.Exec("ip", "route", "add", "default", "via", "10.97.0.254");
        Assert.Equal("hello", lab.Peer.Exec("socat", "-T", "5", "-", "TCP4:10.97.0.1:8080,connect-timeout=5,bind=198.51.100.9").Stdout.Trim());
        await exporter.ReadUntilAsync(body => Port(body).GetProperty("cause").GetString() == "ok", "port 8080 ok again", "/diagnose?format=json");
    }

    private static JsonElement Port(string report)
    {
        using var json = JsonDocument.Parse(report);
        return Port(json.RootElement).Clone();
    }

    private static JsonElement Port(JsonElement report) =>
        report.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("port").GetInt32() == 8080);
}
