using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Firewall;

public sealed class FirewallCollectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly HostPaths Paths = new(Path.Combine(FirewallFixture.Root, "host-network"), "/nonexistent", Path.Combine(FirewallFixture.Root, "firewalld", "rootfs"));

    private static readonly ExporterConfig Config = ExporterConfig.AutoDiscover with
    {
        SourcePath = "test.yml",
        Ports = [new PortSpec("web", 8080, TransportProtocol.Tcp), new PortSpec("app", 8443, TransportProtocol.Tcp)],
    };

    private static async Task<Collected> CollectAsync(FirewallCollector collector, FakeTimeProvider time)
    {
        var facts = new HostFacts(HostNetworkReader.Read(Paths), null, null);
        return new Collected(await collector.CollectAsync(new CollectionContext(Config, Paths, time, time.GetUtcNow().AddSeconds(10)), facts, Config.Ports, CancellationToken.None));
    }

    private sealed record Collected(FirewallEvidence? Firewall);

    private static FirewallCollector Collector(ICommandRunner runner, FakeTimeProvider time, FakeSignal? signal = null) =>
        new(runner, Paths, time, NullLogger<FirewallCollector>.Instance, signal ?? new FakeSignal());

    private sealed class FakeSignal : Core.Firewall.Reading.IRulesetChangeSignal
    {
        public ulong? Token { get; set; } = 1;

        public bool Complete { get; set; }

        public ulong? Read() => Token;

        public bool CoversAllChanges() => Complete;
    }

    [Fact]
    public async Task The_first_scrape_waits_for_the_snapshot_and_gets_verdicts_per_port()
    {
        var time = new FakeTimeProvider(Start);
        using var collector = Collector(FixtureCommands.Runner("counters"), time);
        var firewall = (await CollectAsync(collector, time)).Firewall!;

        Assert.Equal(CollectorNames.Firewall, collector.Name);
        // The fixture's iptables rule is plain (nft shows it in full) but iptables-nft's: its table is named as that backend.
        Assert.Equal([FirewallBackends.Nftables, FirewallBackends.IptablesNft], firewall.Backends);
        Assert.Equal(Start, firewall.SnapshotTakenAt);
        var web = firewall.Ports[new PortKey(8080, TransportProtocol.Tcp)];
        Assert.Equal((FirewallVerdict.Drop, "filter", "INPUT"), (web.Outside.Verdict, web.Outside.Table, web.Outside.Chain));
        Assert.Equal(FirewallVerdict.Drop, web.Inside.Verdict);
        Assert.True(web.DroppedPackets >= 3);
        Assert.Equal("eth0", web.OutsideConnection!.Interface);
        Assert.Equal(FirewallVerdict.Accept, firewall.Ports[new PortKey(8443, TransportProtocol.Tcp)].Outside.Verdict);
    }

    [Fact]
    public async Task Scrapes_are_served_from_the_snapshot_and_a_stale_one_is_refreshed_off_the_scrape_path()
    {
        var time = new FakeTimeProvider(Start);
        var runner = FixtureCommands.Runner("counters");
        using var collector = Collector(runner, time, new FakeSignal { Token = null });
        await CollectAsync(collector, time);
        var callsAfterFirst = runner.Calls.Count;

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(Start, (await CollectAsync(collector, time)).Firewall!.SnapshotTakenAt);
        Assert.Equal(callsAfterFirst, runner.Calls.Count);

        time.Advance(ConfigDefaults.FirewallRefreshInterval);
        var stale = await CollectAsync(collector, time);
        Assert.Equal(Start, stale.Firewall!.SnapshotTakenAt);
        var refreshed = await collector.RefreshAsync(Config.Firewall, CancellationToken.None);
        Assert.Equal(time.GetUtcNow(), refreshed.TakenAt);
        Assert.Equal(time.GetUtcNow(), (await CollectAsync(collector, time)).Firewall!.SnapshotTakenAt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task While_the_change_signal_stands_still_the_ruleset_is_not_read_again_until_its_maximum_age(bool signal)
    {
        var time = new FakeTimeProvider(Start);
        var runner = FixtureCommands.Runner("counters");
        using var collector = Collector(runner, time, new FakeSignal { Token = 7, Complete = signal });
        await CollectAsync(collector, time);
        var calls = runner.Calls.Count;

        // One refresh interval later: with a signal that misses some changes (legacy tables, ipsets) the scrape starts
        // a refresh, with a standing one that covers every change it does not.
        time.Advance(ConfigDefaults.FirewallRefreshInterval);
        await CollectAsync(collector, time);
        var snapshot = await collector.LatestSnapshotAsync();
        Assert.Equal(signal ? calls : calls * 2, runner.Calls.Count);
        Assert.Equal(signal ? Start : time.GetUtcNow(), snapshot?.TakenAt);

        // At the maximum age even a standing signal refreshes: what no commit announces is caught there.
        time.Advance(FirewallCollector.SignalledMaxAge);
        await CollectAsync(collector, time);
        Assert.Equal(time.GetUtcNow(), (await collector.LatestSnapshotAsync())?.TakenAt);
    }

    [Fact]
    public async Task A_change_signal_refreshes_before_the_interval()
    {
        var time = new FakeTimeProvider(Start);
        var signal = new FakeSignal();
        var runner = FixtureCommands.Runner("counters");
        using var collector = Collector(runner, time, signal);
        await CollectAsync(collector, time);
        var calls = runner.Calls.Count;

        time.Advance(TimeSpan.FromSeconds(1));
        await CollectAsync(collector, time);
        Assert.Equal(calls, runner.Calls.Count);

        signal.Token = 2;
        time.Advance(TimeSpan.FromSeconds(1));
        await CollectAsync(collector, time);
        await collector.RefreshAsync(Config.Firewall, CancellationToken.None);
        Assert.True(runner.Calls.Count > calls);
        Assert.Equal(time.GetUtcNow(), (await CollectAsync(collector, time)).Firewall!.SnapshotTakenAt);
    }

    [Fact]
    public async Task The_scrape_that_sees_the_generation_move_answers_from_the_new_snapshot()
    {
        var time = new FakeTimeProvider(Start);
        var signal = new FakeSignal();
        using var collector = Collector(FixtureCommands.Runner("counters"), time, signal);
        Assert.Equal(1UL, (await CollectAsync(collector, time)).Firewall!.Generation);

        signal.Token = 2;
        time.Advance(TimeSpan.FromSeconds(1));
        var firewall = (await CollectAsync(collector, time)).Firewall!;

        Assert.Equal((time.GetUtcNow(), 2UL), (firewall.SnapshotTakenAt, firewall.Generation));
    }

    [Fact]
    public async Task A_refresh_slower_than_half_the_scrape_time_left_is_not_waited_for()
    {
        var time = new FakeTimeProvider(Start);
        var signal = new FakeSignal();
        var runner = FixtureCommands.Runner("counters");
        using var collector = Collector(runner, time, signal);
        await CollectAsync(collector, time);

        var release = new TaskCompletionSource();
        runner.HoldUntil(release.Task);
        signal.Token = 2;
        var scrape = CollectAsync(collector, time);
        // The scrape's deadline is 10 s away: it waits 5 s of its clock for the new snapshot, then answers from the old one.
        for (var step = 0; step < 100 && !scrape.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(scrape, Task.Delay(20));
        }

        Assert.True(scrape.IsCompleted, "the scrape did not answer although its wait for the refresh had run out");
        Assert.Equal((Start, 1UL), ((await scrape).Firewall!.SnapshotTakenAt, (await scrape).Firewall!.Generation));
        release.SetResult();
        await collector.LatestSnapshotAsync();
        Assert.Equal(2UL, (await CollectAsync(collector, time)).Firewall!.Generation);
    }

    [Fact]
    public async Task Missing_tools_are_absent_backends_not_errors()
    {
        var time = new FakeTimeProvider(Start);
        using var collector = Collector(new FakeCommandRunner(), time);
        var firewall = (await CollectAsync(collector, time)).Firewall!;
        Assert.Empty(firewall.Backends);
        Assert.Equal("no rule on the path", firewall.Ports[new PortKey(8080, TransportProtocol.Tcp)].Outside.Rule);
    }

    [Fact]
    public async Task A_hanging_tool_fails_the_collector()
    {
        var time = new FakeTimeProvider(Start);
        using var collector = Collector(FixtureCommands.Runner("counters").Hang(AllowedCommand.NftListRulesetJson), time);
        var e = await Assert.ThrowsAsync<TimeoutException>(() => CollectAsync(collector, time));
        Assert.Contains("'nft -j list ruleset' did not finish within 5 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_output_fails_the_collector_with_a_clear_error()
    {
        var time = new FakeTimeProvider(Start);
        using var collector = Collector(FixtureCommands.Runner("counters").Answer(AllowedCommand.IptablesLegacySave, "*filter\n:INPUT ACCEPT [0:0]\n"), time);
        var e = await Assert.ThrowsAsync<FirewallParseException>(() => CollectAsync(collector, time));
        Assert.Equal("iptables-legacy-save -c: end of input: table 'filter' is not committed (truncated dump?)", e.Message);
    }

    [Fact]
    public async Task A_failing_command_fails_the_collector_naming_it()
    {
        var time = new FakeTimeProvider(Start);
        using var collector = Collector(FixtureCommands.Runner("counters").Answer(AllowedCommand.NftListRulesetJson, string.Empty, 1, "Operation not permitted (you must be root)"), time);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => CollectAsync(collector, time));
        Assert.Equal("'nft -j list ruleset' exited 1: Operation not permitted (you must be root)", e.Message);
    }

    [Fact]
    public async Task After_a_failed_refresh_no_stale_verdicts_are_served_until_a_refresh_works_again()
    {
        var time = new FakeTimeProvider(Start);
        var runner = FixtureCommands.Runner("counters");
        using var collector = Collector(runner, time);
        await CollectAsync(collector, time);

        runner.Hang(AllowedCommand.NftListRulesetJson);
        time.Advance(ConfigDefaults.FirewallRefreshInterval);
        await CollectAsync(collector, time);
        await Assert.ThrowsAsync<TimeoutException>(() => collector.RefreshAsync(Config.Firewall, CancellationToken.None));
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => CollectAsync(collector, time));
        Assert.StartsWith("firewall ruleset could not be read: 'nft -j list ruleset' did not finish", failed.Message, StringComparison.Ordinal);

        runner.Answer(AllowedCommand.NftListRulesetJson, FirewallFixture.Read("counters", "nft.json"));
        time.Advance(ConfigDefaults.FirewallRefreshInterval);
        await collector.RefreshAsync(Config.Firewall, CancellationToken.None);
        Assert.Equal(time.GetUtcNow(), (await CollectAsync(collector, time)).Firewall!.SnapshotTakenAt);
    }

    [Fact]
    public async Task Reads_iptables_nft_tables_through_iptables_nft_save_only_when_nft_shows_xt()
    {
        var time = new FakeTimeProvider(Start);
        var runner = FixtureCommands.Runner("iptables-legacy");
        using (var collector = Collector(runner, time))
        {
            await CollectAsync(collector, time);
        }

        Assert.DoesNotContain("iptables-nft-save -c", runner.Calls);
        Assert.Contains("iptables-legacy-save -c", runner.Calls);

        var xt = FixtureCommands.Runner("iptables-policy-drop-established");
        using var second = Collector(xt, time);
        var firewall = (await CollectAsync(second, time)).Firewall!;
        Assert.Contains("iptables-nft-save -c", xt.Calls);
        Assert.Equal([FirewallBackends.IptablesNft, FirewallBackends.Ip6tablesNft], firewall.Backends);
        Assert.Equal("policy drop", firewall.Ports[new PortKey(8080, TransportProtocol.Tcp)].Outside.Rule);
    }

    [Fact]
    public async Task With_firewalld_running_the_zones_and_an_explanation_are_added()
    {
        var time = new FakeTimeProvider(Start);
        var runner = FixtureCommands.Runner("nft-firewalld-style")
            .Answer(AllowedCommand.FirewalldState, FirewallFixture.Read("firewalld", "state.txt"))
            .Answer(AllowedCommand.FirewalldListAllZones, FirewallFixture.Read("firewalld", "list-all-zones.txt"));
        using var collector = Collector(runner, time);
        var firewall = (await CollectAsync(collector, time)).Firewall!;
        Assert.Equal([FirewallBackends.Nftables, FirewallBackends.Firewalld], firewall.Backends);
        Assert.Equal(5, firewall.FirewalldZones!.Count);
        Assert.Equal("zone public (interfaces eth0) does not open 8080/tcp (ports: 8443/tcp 60000-60010/udp; services: cockpit dhcpv6-client ssh)", firewall.Ports[new PortKey(8080, TransportProtocol.Tcp)].FirewalldExplanation?.Text);
        Assert.Equal(FirewallVerdict.Reject, firewall.Ports[new PortKey(8080, TransportProtocol.Tcp)].Outside.Verdict);
    }

    [Fact]
    public async Task Firewalld_not_running_is_no_firewalld()
    {
        var time = new FakeTimeProvider(Start);
        var runner = FixtureCommands.Runner("counters").Answer(AllowedCommand.FirewalldState, "not running\n", 252);
        using var collector = Collector(runner, time);
        var firewall = (await CollectAsync(collector, time)).Firewall!;
        Assert.DoesNotContain(FirewallBackends.Firewalld, firewall.Backends);
        Assert.Null(firewall.FirewalldZones);
        Assert.DoesNotContain("firewall-cmd --list-all-zones", runner.Calls);
    }
}
