using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Tests.Support;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// Rules that look up ipsets, through the collector on the captured fixtures: <c>ipset save</c> is read when (and only
/// when) a dump has a <c>--match-set</c> rule, an ipset allowlist and fail2ban bans decide with the rule (and the
/// ban's chain) named, and a host without the ipset tool answers unknown for such a rule, never a guess.
/// </summary>
public sealed class IpsetFirewallTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly HostPaths Paths = new(Path.Combine(FirewallFixture.Root, "host-network"), "/nonexistent", "/nonexistent");
    private static readonly PortSpec Web = new("web", 8080, TransportProtocol.Tcp);

    private static async Task<FirewallPortResult> CollectAsync(FakeCommandRunner runner, PortSpec? port = null)
    {
        var web = port ?? Web;
        var time = new FakeTimeProvider(Start);
        var config = ExporterConfig.AutoDiscover with { SourcePath = "test.yml", Ports = [web] };
        using var collector = new FirewallCollector(runner, Paths, time, NullLogger<FirewallCollector>.Instance, new NoSignal());
        var facts = new HostFacts(HostNetworkReader.Read(Paths), null, null);
        var evidence = await collector.CollectAsync(new CollectionContext(config, Paths, time, time.GetUtcNow().AddSeconds(10)), facts, config.Ports, CancellationToken.None);
        return evidence!.Ports[Web.Key];
    }

    [Fact]
    public async Task An_ipset_allowlist_drops_outside_by_its_rule_and_lets_the_allowlisted_subnet_in()
    {
        var runner = FixtureCommands.Runner("ipset-allowlist");
        var web = await CollectAsync(runner, Web with { From = [IPNetwork.Parse("10.77.0.0/24")] });

        Assert.Contains(AllowedCommand.IpsetSave.ToString(), runner.Calls);
        Assert.Equal((FirewallVerdict.Drop, "filter", "INPUT"), (web.Outside.Verdict, web.Outside.Table, web.Outside.Chain));
        Assert.Contains("-m set ! --match-set allow src -j DROP", web.Outside.Rule, StringComparison.Ordinal);
        Assert.Equal(FirewallVerdict.Accept, Assert.Single(web.From).Decision.Verdict);
        // The set holds 10.77.0.0/24 only: a client of the host's internal network (192.0.2.0/24 on eth1) is kept out too.
        Assert.Equal(("192.0.2.1", "eth1", FirewallVerdict.Drop), (web.InsideConnection!.Source.ToString(), web.InsideConnection.Interface, web.Inside.Verdict));
    }

    [Fact]
    public async Task Without_the_ipset_tool_a_set_rule_that_could_decide_is_unknown_naming_it()
    {
        var web = await CollectAsync(FixtureCommands.WithoutIpset("ipset-allowlist"));

        Assert.Equal(FirewallVerdict.Unknown, web.Outside.Verdict);
        Assert.Contains("--match-set allow src", web.Outside.Rule, StringComparison.Ordinal);
        Assert.Contains("set contents not read", web.Outside.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ipset_is_not_run_when_no_rule_looks_up_a_set()
    {
        var runner = FixtureCommands.Runner("counters").Answer(AllowedCommand.IpsetSave, "create unused hash:ip\n");
        await CollectAsync(runner);

        Assert.DoesNotContain(AllowedCommand.IpsetSave.ToString(), runner.Calls);
    }

    [Theory]
    [InlineData("ipset-allowlist", "203.0.113.1 is not in the allowlist set allow: add it there if it should connect (ipset add allow 203.0.113.1,")]
    [InlineData("ipset-blocklist", "203.0.113.1 is in the set block: remove the entry that holds it if it should connect (ipset test block 203.0.113.1 /")]
    [InlineData("nft-named-sets-vmap", "203.0.113.1 is not in the allowlist set allow4: add it there")]
    public async Task The_fix_for_a_set_block_is_in_the_set_not_an_accept_rule_before_it(string fixture, string fix)
    {
        var diagnosis = Diagnose(await CollectAsync(FixtureCommands.Runner(fixture)));
        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.StartsWith(fix, diagnosis.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("-j ACCEPT", diagnosis.Fix, StringComparison.Ordinal);
    }

    private static Core.Diagnosis.Diagnosis Diagnose(FirewallPortResult web)
    {
        var port = Web with { Bind = IPAddress.Any };
        var evidence = Healthy() with
        {
            Firewall = new FirewallEvidence([web.Outside.Backend], new Dictionary<PortKey, FirewallPortResult> { [port.Key] = web }, Start),
            Sockets = SocketsOf(Listening("0.0.0.0")),
        };
        return Diagnoser.Diagnose(port, evidence);
    }

    [Theory]
    [InlineData("fail2ban-iptables-multiport", "filter", "f2b-sshd", "-A f2b-sshd -s 203.0.113.0/24 -j REJECT")]
    [InlineData("fail2ban-ipset", "filter", "INPUT", "--match-set f2b-sshd src -j REJECT")]
    [InlineData("fail2ban-nftables", "f2b-table", "f2b-chain", "ip saddr @addr-set-sshd reject")]
    public async Task A_fail2ban_ban_is_firewall_blocked_for_the_banned_source_with_the_ban_named(string fixture, string table, string chain, string rule)
    {
        var web = await CollectAsync(FixtureCommands.Runner(fixture));
        Assert.Equal((FirewallVerdict.Reject, table, chain), (web.Outside.Verdict, web.Outside.Table, web.Outside.Chain));
        Assert.Contains(rule, web.Outside.Rule, StringComparison.Ordinal);

        var diagnosis = Diagnose(web);
        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains($"chain {chain}", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("open from inside", diagnosis.Summary, StringComparison.Ordinal);
        Assert.StartsWith("fail2ban jail sshd bans 203.0.113.1: fail2ban-client set sshd unbanip 203.0.113.1 ", diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_ipset_dump_or_a_failing_ipset_fails_the_collector_naming_it()
    {
        var garbage = FixtureCommands.Runner("ipset-allowlist").Answer(AllowedCommand.IpsetSave, "add allow 10.0.0.0/8\n");
        var e = await Assert.ThrowsAsync<FirewallParseException>(() => CollectAsync(garbage));
        Assert.Equal("ipset save: line 1: entry of set 'allow' before its create line: 'add allow 10.0.0.0/8'", e.Message);

        var denied = FixtureCommands.Runner("ipset-allowlist").Answer(AllowedCommand.IpsetSave, string.Empty, 1, "ipset v7.17: Kernel error received: Operation not permitted");
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => CollectAsync(denied));
        Assert.Equal("'ipset save' exited 1: ipset v7.17: Kernel error received: Operation not permitted", failed.Message);
    }

    private sealed class NoSignal : Core.Firewall.Reading.IRulesetChangeSignal
    {
        public ulong? Read() => null;
    }
}
