using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Firewall;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Core.Metrics;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;
using Prometheus;

namespace PortExporter.Tests.Collection;

public sealed class EvidenceCollectionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Only guards against a hang of the test itself; no assertion depends on it.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private static readonly PortSpec Web = new("web", 8080, TransportProtocol.Tcp);

    private static readonly ExporterConfig Config = ExporterConfig.AutoDiscover with { SourcePath = "test.yml", Ports = [Web] };

    private static readonly HostNetwork Network = new(
        [new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("eth0", [IPAddress.Parse("192.0.2.10")])], "eth0", null);

    private static StubHostFact<HostNetwork> NetworkStub() => new(CollectorNames.Network, (_, _) => Task.FromResult(Network));

    private static EvidenceCollection Collection(EvidenceSources sources, CollectorSwitches switches, TimeProvider time) =>
        new(sources, switches, new WatchedPortResolver(), HostPaths.Default, time, NullLogger<EvidenceCollection>.Instance);

    [Fact]
    public async Task A_hanging_nft_beside_a_slow_vantage_takes_the_longer_of_the_two_not_their_sum()
    {
        var time = new FakeTimeProvider(Start);
        var nft = new HangingNft();
        using var firewall = new FirewallCollector(nft, HostPaths.Default, time, NullLogger<FirewallCollector>.Instance, new NoSignal());
        var vantageAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Completed inline: the runner has its answer before the clock moves on.
        var vantageAnswer = new TaskCompletionSource<ProbeEvidence?>();
        var probes = new StubPortEvidence<ProbeEvidence>(CollectorNames.Probes, (_, _, _) =>
        {
            vantageAsked.SetResult();
            return vantageAnswer.Task;
        });
        var collection = Collection(
            StubSources.With(network: NetworkStub(), firewall: firewall, probes: probes),
            StubSources.Only(CollectorNames.Network, CollectorNames.Firewall, CollectorNames.Probes),
            time);

        var collecting = collection.CollectAsync(Config, Start.AddSeconds(10), CancellationToken.None);

        // Both slow sources are under way before either has finished and before any time has passed.
        await Task.WhenAll(nft.Started, vantageAsked.Task).WaitAsync(Guard);
        Assert.False(collecting.IsCompleted);

        // The vantage answers after 4 s; the collection goes on waiting for the firewall, not for 4 s more.
        time.Advance(TimeSpan.FromSeconds(4));
        vantageAnswer.SetResult(new ProbeEvidence(new Dictionary<PortKey, IReadOnlyList<ProbeResult>> { [Web.Key] = [] }, new Dictionary<string, bool> { ["outside"] = true }));
        time.Advance(TimeSpan.FromSeconds(6));
        var snapshot = await collecting.WaitAsync(Guard);

        Assert.Equal(Start.AddSeconds(10), snapshot.TakenAt); // the firewall's 10 s, not 10 + 4
        Assert.True(snapshot.CollectorSucceeded(CollectorNames.Probes));
        Assert.NotNull(snapshot.Probes);
        var failed = snapshot.Collectors[CollectorNames.Firewall];
        Assert.False(failed.Success);
        Assert.Equal(TimeSpan.FromSeconds(10), failed.Duration);
        Assert.Contains("deadline", failed.Error, StringComparison.Ordinal);
        Assert.Null(snapshot.Firewall);
    }

    [Fact]
    public async Task Per_port_collectors_see_the_host_facts_and_the_resolved_ports_and_nothing_of_each_other()
    {
        var sockets = new SocketEvidence([new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 7)]);
        var seen = new List<(string Collector, HostFacts Facts, IReadOnlyList<PortSpec> Ports)>();
        var gate = new Lock();
        StubPortEvidence<T> Recording<T>(string name)
            where T : class => new(name, (facts, ports, _) =>
        {
            lock (gate)
            {
                seen.Add((name, facts, ports));
            }

            return Task.FromResult<T?>(null);
        });
        var collection = Collection(
            StubSources.With(
                network: NetworkStub(),
                sockets: new StubHostFact<SocketEvidence>(CollectorNames.Sockets, (_, _) => Task.FromResult(sockets)),
                processes: new StubHostFact<Core.Processes.ProcessEvidence>(CollectorNames.Processes, (known, _) =>
                {
                    Assert.Same(sockets, known.Sockets);
                    return Task.FromResult(new Core.Processes.ProcessEvidence(
                        new Dictionary<ulong, Core.Processes.ProcessInfo>(), new Dictionary<string, bool>(), new Dictionary<string, Core.Processes.UnitState>(), false, 0));
                }),
                firewall: Recording<FirewallEvidence>(CollectorNames.Firewall),
                selinux: Recording<SelinuxEvidence>(CollectorNames.Selinux),
                probes: Recording<ProbeEvidence>(CollectorNames.Probes)),
            CollectorSwitches.AllEnabled,
            TimeProvider.System);

        var snapshot = await collection.CollectAsync(Config, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.Equal([CollectorNames.Firewall, CollectorNames.Probes, CollectorNames.Selinux], seen.Select(s => s.Collector).Order(StringComparer.Ordinal));
        Assert.All(seen, s =>
        {
            Assert.Same(Network, s.Facts.Network);
            Assert.Same(sockets, s.Facts.Sockets);
            Assert.Same(snapshot.Processes, s.Facts.Processes);
            Assert.Equal([Web], s.Ports);
        });
        // The backends collector runs only when a verdict forwards the port to another address.
        Assert.Equal(CollectorNames.All.Where(n => n != CollectorNames.Backends), snapshot.Collectors.Keys);
    }

    [Fact]
    public async Task A_disabled_collector_is_not_run_has_no_success_series_and_its_evidence_is_not_collected()
    {
        var collection = Collection(
            StubSources.With(
                network: NetworkStub(),
                sockets: new StubHostFact<SocketEvidence>(CollectorNames.Sockets, (_, _) => Task.FromResult(new SocketEvidence([new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 7)])))),
            StubSources.Only(CollectorNames.Network, CollectorNames.Sockets),
            TimeProvider.System);

        var snapshot = await collection.CollectAsync(Config with { Ports = [Web with { Process = "nginx" }] }, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.Equal([CollectorNames.Network, CollectorNames.Sockets], snapshot.Collectors.Keys);
        Assert.Equal([CollectorNames.Processes, CollectorNames.Firewall, CollectorNames.Selinux, CollectorNames.Probes, CollectorNames.Backends], snapshot.Disabled);
        var diagnosis = Assert.Single(Diagnoser.Diagnose(snapshot));
        Assert.Contains(diagnosis.Missing, m => m.EndsWith("firewall evidence not collected (--no-collector.firewall)", StringComparison.Ordinal));
        Assert.Contains(diagnosis.Missing, m => m.EndsWith("process evidence not collected (--no-collector.processes)", StringComparison.Ordinal));
        Assert.DoesNotContain(diagnosis.Missing, m => m.Contains("failed", StringComparison.Ordinal));

        var registry = Metrics.NewCustomRegistry();
        new ExporterMetrics(Metrics.WithCustomRegistry(registry)).WriteCollectors(snapshot);
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var exposition = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("port_exporter_collector_success{collector=\"sockets\"} 1", exposition, StringComparison.Ordinal);
        Assert.DoesNotContain("collector=\"firewall\"", exposition, StringComparison.Ordinal);

        var report = DiagnosisReport.From(snapshot, [diagnosis]);
        Assert.Equal(snapshot.Disabled, report.NotCollected);
        Assert.Contains("collector selinux disabled: not collected (--no-collector.selinux)", TextReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_collector_that_ignores_its_deadline_is_not_started_again_while_it_runs()
    {
        var time = new FakeTimeProvider(Start);
        var runs = 0;
        var release = new TaskCompletionSource<SelinuxEvidence?>(); // completes the run inline when released
        var stuck = new StubPortEvidence<SelinuxEvidence>(CollectorNames.Selinux, (_, _, _) =>
        {
            Interlocked.Increment(ref runs);
            return release.Task; // ignores the cancellation token
        });
        var collection = Collection(
            StubSources.With(network: NetworkStub(), selinux: stuck),
            StubSources.Only(CollectorNames.Network, CollectorNames.Selinux),
            time);

        var first = collection.CollectAsync(Config, Start.AddSeconds(5), CancellationToken.None);
        while (Volatile.Read(ref runs) == 0)
        {
            await Task.Delay(10).WaitAsync(Guard);
        }

        time.Advance(TimeSpan.FromSeconds(5));
        var late = await first.WaitAsync(Guard);
        Assert.False(late.CollectorSucceeded(CollectorNames.Selinux));

        var second = await collection.CollectAsync(Config, time.GetUtcNow().AddSeconds(5), CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(1, Volatile.Read(ref runs));
        Assert.Contains("earlier collection has not ended", second.Collectors[CollectorNames.Selinux].Error, StringComparison.Ordinal);

        release.SetResult(null);
        var third = await collection.CollectAsync(Config, time.GetUtcNow().AddSeconds(5), CancellationToken.None).WaitAsync(Guard);
        Assert.True(third.CollectorSucceeded(CollectorNames.Selinux));
        Assert.Equal(2, Volatile.Read(ref runs));
    }

    /// <summary><c>nft</c> hangs until the read is cancelled; every other tool is not installed.</summary>
    private sealed class HangingNft : ICommandRunner
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public async Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (command != AllowedCommand.NftListRulesetJson)
            {
                return CommandResult.NotFound;
            }

            _started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return CommandResult.NotFound;
        }
    }

    private sealed class NoSignal : IRulesetChangeSignal
    {
        public ulong? Read() => null;
    }
}
