using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using PortExporter.Core.Processes;
using PortExporter.Tests.Sockets;
using Prometheus;

namespace PortExporter.Tests.Processes;

public sealed class ProcessMetricsTests
{
    private static readonly PortSpec Web = new("web", 80, TransportProtocol.Tcp, Process: "nginx", Unit: "nginx.service");
    private static readonly PortSpec Dns = new("dns", 53, TransportProtocol.Udp, Process: "named");
    private static readonly PortSpec Bare = new("bare", 9000, TransportProtocol.Tcp);

    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly ProcessMetrics _writer;

    public ProcessMetricsTests() => _writer = new ProcessMetrics(Metrics.WithCustomRegistry(_registry));

    [Fact]
    public void Writes_process_running_and_unit_state_where_configured()
    {
        _writer.Write(Snapshot(Evidence(
            running: new() { ["nginx"] = true, ["named"] = false },
            units: new() { ["nginx.service"] = new UnitState("nginx.service", "active", "running") },
            systemd: true)));

        Assert.Equal(
            [
                """port_process_running{service="dns",port="53",protocol="udp"} 0""",
                """port_process_running{service="web",port="80",protocol="tcp"} 1""",
            ],
            Scrape.Samples(_registry, ProcessMetrics.ProcessRunning));
        Assert.Equal(["""port_unit_active{service="web",port="80",protocol="tcp"} 1"""], Scrape.Samples(_registry, ProcessMetrics.UnitActive));
        Assert.Equal(
            ["""port_unit_info{service="web",port="80",protocol="tcp",unit="nginx.service",active_state="active",sub_state="running"} 1"""],
            Scrape.Samples(_registry, ProcessMetrics.UnitInfo));
    }

    [Fact]
    public void An_inactive_unit_is_0_with_its_states()
    {
        _writer.Write(Snapshot(Evidence(
            running: new() { ["nginx"] = false, ["named"] = false },
            units: new() { ["nginx.service"] = new UnitState("nginx.service", "failed", "failed") },
            systemd: true)));

        Assert.Equal(["""port_unit_active{service="web",port="80",protocol="tcp"} 0"""], Scrape.Samples(_registry, ProcessMetrics.UnitActive));
        Assert.Equal(
            ["""port_unit_info{service="web",port="80",protocol="tcp",unit="nginx.service",active_state="failed",sub_state="failed"} 1"""],
            Scrape.Samples(_registry, ProcessMetrics.UnitInfo));
    }

    [Fact]
    public void Says_unknown_rather_than_inactive_when_systemd_does_not_answer()
    {
        _writer.Write(Snapshot(Evidence(running: new() { ["nginx"] = true, ["named"] = true }, units: [], systemd: true)));
        _writer.Write(Snapshot(Evidence(running: new() { ["nginx"] = true, ["named"] = true }, units: [], systemd: false)));

        Assert.Empty(Scrape.Samples(_registry, ProcessMetrics.UnitActive));
        Assert.Equal(
            ["""port_unit_info{service="web",port="80",protocol="tcp",unit="nginx.service",active_state="unknown",sub_state="unknown"} 1"""],
            Scrape.Samples(_registry, ProcessMetrics.UnitInfo));
    }

    [Fact]
    public void Writes_nothing_when_the_processes_collector_failed_and_drops_what_it_wrote_before()
    {
        _writer.Write(Snapshot(Evidence(
            running: new() { ["nginx"] = true, ["named"] = true },
            units: new() { ["nginx.service"] = new UnitState("nginx.service", "active", "running") },
            systemd: true)));

        _writer.Write(Snapshot(null));

        Assert.Empty(Scrape.Samples(_registry, ProcessMetrics.ProcessRunning));
        Assert.Empty(Scrape.Samples(_registry, ProcessMetrics.UnitActive));
        Assert.Empty(Scrape.Samples(_registry, ProcessMetrics.UnitInfo));
    }

    [Fact]
    public void Every_metric_has_help_text()
    {
        _writer.Write(Snapshot(Evidence(
            running: new() { ["nginx"] = true, ["named"] = true },
            units: new() { ["nginx.service"] = new UnitState("nginx.service", "active", "running") },
            systemd: true)));

        foreach (var metric in new[] { ProcessMetrics.ProcessRunning, ProcessMetrics.UnitActive, ProcessMetrics.UnitInfo })
        {
            Assert.True(Scrape.Help(_registry, metric)?.Length > $"# HELP {metric} ".Length + 20, metric);
        }
    }

    private static ProcessEvidence Evidence(Dictionary<string, bool> running, Dictionary<string, UnitState> units, bool systemd) =>
        new(new Dictionary<ulong, ProcessInfo>(), running, units, systemd, 0);

    private static Core.Collection.EvidenceSnapshot Snapshot(ProcessEvidence? processes) =>
        SocketMetricsTests.Snapshot([Web, Dns, Bare], null, null, processes);
}
