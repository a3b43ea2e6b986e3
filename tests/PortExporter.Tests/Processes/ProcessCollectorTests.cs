using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Processes;

public sealed class ProcessCollectorTests : IDisposable
{
    private readonly ProcTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Resolves_owners_of_watched_ports_and_checks_processes_and_units()
    {
        var config = Config(
            new PortSpec("web", 8001, TransportProtocol.Tcp, Process: "socat"),
            new PortSpec("long", 8012, TransportProtocol.Tcp, Process: "portexporter-long-name-listener", Unit: "long.service"),
            new PortSpec("syslog", 8008, TransportProtocol.Udp),
            new PortSpec("down", 9999, TransportProtocol.Tcp, Process: "nginx", Unit: "nginx.service"));
        var runner = new FakeCommandRunner(_ => SystemctlFixture.NotBooted);

        var processes = await CollectAsync(config, runner, withSockets: true);

        Assert.Equal(
            new Dictionary<ulong, int> { [60001] = 13997, [60025] = 14010, [60010] = 14004 }.OrderBy(o => o.Key),
            processes.OwnersByInode.ToDictionary(o => o.Key, o => o.Value.Pid).OrderBy(o => o.Key));
        Assert.True(processes.RunningByName["socat"]);
        Assert.True(processes.RunningByName["portexporter-long-name-listener"]);
        Assert.False(processes.RunningByName["nginx"]);
        Assert.False(processes.SystemdAvailable);
        Assert.Empty(processes.Units);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task Resolves_every_listener_when_discovering_ports()
    {
        var processes = await CollectAsync(ExporterConfig.AutoDiscover, new FakeCommandRunner(_ => SystemctlFixture.NotBooted), withSockets: true);

        Assert.Equal(13, processes.OwnersByInode.Count);
        Assert.Equal(["portexporter-lo", "socat"], processes.OwnersByInode.Values.Select(p => p.Comm).Distinct().Order(StringComparer.Ordinal));
        Assert.Empty(processes.RunningByName);
    }

    [Fact]
    public async Task Still_checks_processes_and_units_when_the_sockets_collector_failed()
    {
        var config = Config(new PortSpec("web", 8001, TransportProtocol.Tcp, Process: "socat", Unit: "web.service"));
        var runner = new FakeCommandRunner(_ => FakeCommandRunner.Succeeded("ActiveState=active\nSubState=running\n"));

        var processes = await CollectAsync(config, runner, withSockets: false);

        Assert.Empty(processes.OwnersByInode);
        Assert.True(processes.RunningByName["socat"]);
        Assert.True(processes.SystemdAvailable);
        Assert.Equal(new UnitState("web.service", "active", "running"), processes.Units["web.service"]);
    }

    private static ExporterConfig Config(params PortSpec[] ports) => ExporterConfig.AutoDiscover with { SourcePath = "test.yml", Ports = ports };

    private async Task<ProcessEvidence> CollectAsync(ExporterConfig config, FakeCommandRunner runner, bool withSockets)
    {
        var context = new CollectionContext(config, new HostPaths(_tree.Root, "/nonexistent", "/nonexistent"), TimeProvider.System, DateTimeOffset.UtcNow.AddSeconds(10));
        var known = HostFacts.None;
        if (withSockets)
        {
            var net = Path.Combine(AppContext.BaseDirectory, "Sockets", "fixtures", "mixed", "net");
            known = known with { Sockets = await new SocketCollector(NullLogger<SocketCollector>.Instance, net).CollectAsync(context, known, CancellationToken.None) };
        }

        var collector = new ProcessCollector(runner, NullLogger<ProcessCollector>.Instance);
        Assert.Equal(CollectorNames.Processes, collector.Name);
        return await collector.CollectAsync(context, known, CancellationToken.None);
    }
}
