using System.Diagnostics;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Metrics;
using PortExporter.Firewall.Firewalld;
using Prometheus;

namespace PortExporter.Tests.Firewall;

public sealed class FirewallMetricsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 30, TimeSpan.Zero);
    private static readonly PortSpec Web = new("web", 8080, TransportProtocol.Tcp);
    private static readonly PortSpec Dns = new("dns", 53, TransportProtocol.Udp);

    private static readonly ExporterConfig Config = ExporterConfig.AutoDiscover with { SourcePath = "test.yml", Ports = [Web, Dns] };

    private static FirewallEvidence Evidence(long? dropped = 17, FirewallVerdict dnsOutside = FirewallVerdict.Unknown) => new(
        [FirewallBackends.IptablesNft, FirewallBackends.Firewalld],
        new Dictionary<PortKey, FirewallPortResult>
        {
            [Web.Key] = new(
                new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.IptablesNft, "filter", "INPUT", "rule 3: -A INPUT -i eth0 -p tcp -m tcp --dport 8080 -j DROP"),
                new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.IptablesNft, "filter", "INPUT", "rule 1: -A INPUT -i lo -j ACCEPT"),
                dropped),
            [Dns.Key] = new(
                new FirewallDecision(dnsOutside, FirewallBackends.IptablesNft, "filter", "INPUT", "rule 2: -A INPUT -m recent --rcheck -j DROP"),
                new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.None, string.Empty, string.Empty, "no rule on the path")),
        },
        Now.AddSeconds(-12),
        [new FirewalldZone("public", true, true, "default", ["eth0", "eth1"], [], [], [], [], [], [])]);

    private static EvidenceSnapshot Snapshot(FirewallEvidence? firewall) =>
        new(Now, Config, Config.Ports, new Dictionary<string, CollectorStatus>(), Firewall: firewall);

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string[] Samples(string text, string name) =>
        [.. text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))];

    [Fact]
    public async Task Writes_blocked_verdicts_counters_backends_zones_and_age()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var writer = new FirewallMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        writer.Write(Snapshot(Evidence()));
        var text = await ExportAsync(registry);

        Assert.Equal(["port_firewall_blocked{service=\"web\",port=\"8080\",protocol=\"tcp\"} 1"], Samples(text, "port_firewall_blocked"));
        Assert.Contains("port_firewall_verdict_info{service=\"web\",port=\"8080\",protocol=\"tcp\",source=\"outside\",verdict=\"drop\",backend=\"iptables-nft\",table=\"filter\",chain=\"INPUT\",rule=\"rule 3: -A INPUT -i eth0 -p tcp -m tcp --dport 8080 -j DROP\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_firewall_verdict_info{service=\"web\",port=\"8080\",protocol=\"tcp\",source=\"inside\",verdict=\"accept\",backend=\"iptables-nft\",table=\"filter\",chain=\"INPUT\",rule=\"rule 1: -A INPUT -i lo -j ACCEPT\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("port_firewall_verdict_info{service=\"dns\",port=\"53\",protocol=\"udp\",source=\"outside\",verdict=\"unknown\",", text, StringComparison.Ordinal);
        Assert.Equal(4, Samples(text, "port_firewall_verdict_info").Length);
        Assert.Equal(["port_firewall_dropped_packets_total{service=\"web\",port=\"8080\",protocol=\"tcp\"} 17"], Samples(text, "port_firewall_dropped_packets_total"));
        Assert.Contains("# TYPE port_firewall_dropped_packets_total counter", text, StringComparison.Ordinal);
        Assert.Equal(["port_host_firewall_backend_info{backend=\"iptables-nft\"} 1", "port_host_firewall_backend_info{backend=\"firewalld\"} 1"], Samples(text, "port_host_firewall_backend_info"));
        Assert.Equal(["port_firewalld_zone_info{zone=\"public\",interfaces=\"eth0,eth1\"} 1"], Samples(text, "port_firewalld_zone_info"));
        Assert.Equal(["port_firewall_snapshot_age_seconds 12"], Samples(text, "port_firewall_snapshot_age_seconds"));
    }

    [Fact]
    public async Task Blocked_follows_the_sources_the_intent_promises()
    {
        var drop = new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.Nftables, "filter", "input", "policy drop");
        var accept = new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.Nftables, "filter", "input", "handle 4: ip saddr 198.51.100.0/24 accept");
        var partner = new PortSpec("partner", 8443, TransportProtocol.Tcp) { From = [System.Net.IPNetwork.Parse("198.51.100.0/24")] };
        var db = new PortSpec("db", 5432, TransportProtocol.Tcp) { Expose = PortExpose.Internal };
        var cache = new PortSpec("cache", 6379, TransportProtocol.Tcp) { Expose = PortExpose.Local };
        var partnerBlocked = new PortSpec("partner-old", 8444, TransportProtocol.Tcp) { From = [System.Net.IPNetwork.Parse("198.51.100.0/24")] };
        var config = Config with { Ports = [partner, db, cache, partnerBlocked] };
        var evidence = new FirewallEvidence(
            [FirewallBackends.Nftables],
            new Dictionary<PortKey, FirewallPortResult>
            {
                // Outside default dropped, the partner range accepted: the allowlist working.
                [partner.Key] = new(drop, drop) { From = [new SourceVerdict("198.51.100.0/24", accept, null)] },
                // Open from outside, dropped from an internal network: the internal promise broken (exposure is another cause).
                [db.Key] = new(accept, drop, DroppedPackets: 5) { InsideAddresses = [System.Net.IPAddress.Parse("10.0.0.1"), System.Net.IPAddress.Parse("10.1.0.1")] },
                // A local port promises nothing to other hosts.
                [cache.Key] = new(drop, drop),
                [partnerBlocked.Key] = new(accept, accept) { From = [new SourceVerdict("198.51.100.0/24", drop, null) { DroppedPackets = 9 }] },
            },
            Now,
            null);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var writer = new FirewallMetrics(Prometheus.Metrics.WithCustomRegistry(registry));

        writer.Write(new EvidenceSnapshot(Now, config, config.Ports, new Dictionary<string, CollectorStatus>(), Firewall: evidence));
        var text = await ExportAsync(registry);

        Assert.Equal(
            [
                "port_firewall_blocked{service=\"partner\",port=\"8443\",protocol=\"tcp\"} 0",
                "port_firewall_blocked{service=\"db\",port=\"5432\",protocol=\"tcp\"} 1",
                "port_firewall_blocked{service=\"partner-old\",port=\"8444\",protocol=\"tcp\"} 1",
            ],
            Samples(text, "port_firewall_blocked"));
        // The counter of the rule that blocks the promised source, never the outside default's.
        Assert.Equal(["port_firewall_dropped_packets_total{service=\"partner-old\",port=\"8444\",protocol=\"tcp\"} 9"], Samples(text, "port_firewall_dropped_packets_total"));
    }

    [Fact]
    public async Task Series_disappear_with_the_evidence_and_with_unwatched_ports()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var writer = new FirewallMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        writer.Write(Snapshot(Evidence(dnsOutside: FirewallVerdict.Accept)));
        Assert.Equal(2, Samples(await ExportAsync(registry), "port_firewall_blocked").Length);

        writer.Write(Snapshot(Evidence() with { Ports = Evidence().Ports.Where(p => p.Key == Dns.Key).ToDictionary() }));
        var text = await ExportAsync(registry);
        Assert.Empty(Samples(text, "port_firewall_blocked"));
        Assert.Empty(Samples(text, "port_firewall_dropped_packets_total"));

        writer.Write(Snapshot(null));
        text = await ExportAsync(registry);
        foreach (var name in (string[])["port_firewall_blocked", "port_firewall_verdict_info", "port_firewall_dropped_packets_total", "port_host_firewall_backend_info", "port_firewalld_zone_info", "port_firewall_snapshot_age_seconds"])
        {
            Assert.Empty(Samples(text, name));
        }
    }

    [Fact]
    public async Task The_drop_counter_follows_the_kernel_including_resets()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var writer = new FirewallMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        writer.Write(Snapshot(Evidence(dropped: 17)));
        writer.Write(Snapshot(Evidence(dropped: 40)));
        Assert.Equal(["port_firewall_dropped_packets_total{service=\"web\",port=\"8080\",protocol=\"tcp\"} 40"], Samples(await ExportAsync(registry), "port_firewall_dropped_packets_total"));
        writer.Write(Snapshot(Evidence(dropped: 2)));
        Assert.Equal(["port_firewall_dropped_packets_total{service=\"web\",port=\"8080\",protocol=\"tcp\"} 2"], Samples(await ExportAsync(registry), "port_firewall_dropped_packets_total"));
    }

    [Fact]
    public async Task Output_passes_promtool_check_metrics()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        new FirewallMetrics(Prometheus.Metrics.WithCustomRegistry(registry)).Write(Snapshot(Evidence()));
        var text = await ExportAsync(registry);
        var info = new ProcessStartInfo("promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = Process.Start(info)!;
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, output);
    }
}
