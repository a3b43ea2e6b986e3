using System.Net;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;
using PortExporter.Firewall;
using Microsoft.Extensions.Time.Testing;
using PortExporter.Tests.Firewall;

namespace PortExporter.Tests.Intent;

public sealed class WatchedPortResolverTests
{
    private static readonly HostNetwork Network = new(
        [new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("eth0", [IPAddress.Parse("192.0.2.10")]), new HostInterface("eth1", [IPAddress.Parse("10.0.0.5")])],
        "eth0",
        null);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    private static Listener Tcp(string address, int port) => new(TransportProtocol.Tcp, IPAddress.Parse(address), port, (ulong)port);

    private static SocketEvidence Sockets(params Listener[] listeners) => new(listeners, 32768) { EphemeralPortEnd = 60999 };

    private static ExporterConfig Auto(int maxPorts = 512) =>
        ExporterConfig.AutoDiscover with { AutoWatch = AutoWatchSettings.Default with { MaxPorts = maxPorts } };

    private IReadOnlyList<PortSpec> Resolve(WatchedPortResolver resolver, ExporterConfig config, SocketEvidence sockets) =>
        resolver.Resolve(config, sockets, null, Network);

    [Fact]
    public void A_listener_is_watched_only_once_it_has_lasted_min_age()
    {
        var resolver = new WatchedPortResolver(_time);
        var sockets = Sockets(Tcp("0.0.0.0", 8080));

        Assert.Empty(Resolve(resolver, Auto(), sockets));
        _time.Advance(ConfigDefaults.AutoWatchMinAge - TimeSpan.FromSeconds(1));
        Assert.Empty(Resolve(resolver, Auto(), sockets));
        _time.Advance(TimeSpan.FromSeconds(1));

        var watched = Assert.Single(Resolve(resolver, Auto(), sockets));
        Assert.Equal("auto-8080-tcp", watched.Name);
        Assert.Equal(IntentOrigin.Inferred, watched.Origin);
    }

    [Fact]
    public void A_short_lived_listener_starts_from_zero_when_it_comes_back()
    {
        var resolver = new WatchedPortResolver(_time);
        Resolve(resolver, Auto(), Sockets(Tcp("0.0.0.0", 8080)));
        _time.Advance(TimeSpan.FromMinutes(1));
        Resolve(resolver, Auto(), Sockets());
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Resolve(resolver, Auto(), Sockets(Tcp("0.0.0.0", 8080))));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Resolve(resolver, Auto(), Sockets(Tcp("0.0.0.0", 8080))));
    }

    [Fact]
    public void Listeners_in_the_kernels_ephemeral_range_are_never_watched()
    {
        var resolver = new WatchedPortResolver(_time);
        var sockets = new SocketEvidence([Tcp("0.0.0.0", 40000), Tcp("0.0.0.0", 61000), Tcp("0.0.0.0", 39999)], 40000) { EphemeralPortEnd = 60999 };
        Resolve(resolver, Auto(), sockets);
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal([39999, 61000], Resolve(resolver, Auto(), sockets).Select(p => p.Port));
    }

    [Fact]
    public void A_port_whose_listener_is_gone_for_forget_after_is_forgotten()
    {
        var resolver = new WatchedPortResolver(_time);
        Resolve(resolver, Auto(), Sockets(Tcp("127.0.0.1", 5432)));
        _time.Advance(ConfigDefaults.AutoWatchMinAge);
        Assert.Single(Resolve(resolver, Auto(), Sockets(Tcp("127.0.0.1", 5432))));

        _time.Advance(ConfigDefaults.AutoWatchForgetAfter - TimeSpan.FromSeconds(1));
        Assert.Single(Resolve(resolver, Auto(), Sockets()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(Resolve(resolver, Auto(), Sockets()));
    }

    [Fact]
    public void The_cap_evicts_a_flood_and_keeps_the_long_standing_service_and_every_configured_port()
    {
        var resolver = new WatchedPortResolver(_time);
        var configured = new PortSpec("web", 80, TransportProtocol.Tcp);
        var config = Auto(maxPorts: 10) with { Ports = [configured], AutoWatch = AutoWatchSettings.Default with { Enabled = true, MaxPorts = 10 } };
        var service = Tcp("0.0.0.0", 5432);
        Resolve(resolver, config, Sockets(service));
        _time.Advance(ConfigDefaults.AutoWatchMinAge);
        Resolve(resolver, config, Sockets(service));

        var flood = Enumerable.Range(20000, 60).Select(p => Tcp("0.0.0.0", p)).Append(service).Append(Tcp("0.0.0.0", 80)).ToArray();
        Resolve(resolver, config, Sockets(flood));
        _time.Advance(ConfigDefaults.AutoWatchMinAge);
        var watched = Resolve(resolver, config, Sockets(flood));

        Assert.Contains(watched, p => p.Name == "web");
        Assert.Contains(watched, p => p.Name == "auto-5432-tcp");
        Assert.Equal(1 + 10, watched.Count);
        Assert.Equal(51, resolver.Evicted);

        _time.Advance(TimeSpan.FromSeconds(15));
        Resolve(resolver, config, Sockets(flood));
        Assert.Equal(51, resolver.Evicted);
    }

    [Fact]
    public void The_least_recently_seen_port_is_evicted_first()
    {
        var resolver = new WatchedPortResolver(_time);
        var config = Auto(maxPorts: 2);
        Resolve(resolver, config, Sockets(Tcp("0.0.0.0", 1001), Tcp("0.0.0.0", 1002)));
        _time.Advance(ConfigDefaults.AutoWatchMinAge);
        Resolve(resolver, config, Sockets(Tcp("0.0.0.0", 1001), Tcp("0.0.0.0", 1002)));
        _time.Advance(TimeSpan.FromMinutes(1));
        Resolve(resolver, config, Sockets(Tcp("0.0.0.0", 1002), Tcp("0.0.0.0", 1003)));
        _time.Advance(ConfigDefaults.AutoWatchMinAge);

        var watched = Resolve(resolver, config, Sockets(Tcp("0.0.0.0", 1002), Tcp("0.0.0.0", 1003)));

        Assert.Equal(["auto-1002-tcp", "auto-1003-tcp"], watched.Select(p => p.Name));
        Assert.Equal(1, resolver.Evicted);
    }

    [Theory]
    [InlineData("127.0.0.1", null, PortExpose.Local)]
    [InlineData("::1", null, PortExpose.Local)]
    [InlineData("10.0.0.5", null, PortExpose.Internal)]
    [InlineData("0.0.0.0", FirewallVerdict.Accept, PortExpose.Public)]
    [InlineData("0.0.0.0", FirewallVerdict.Drop, PortExpose.Internal)]
    [InlineData("192.0.2.10", FirewallVerdict.Reject, PortExpose.Internal)]
    [InlineData("192.0.2.10", FirewallVerdict.Accept, PortExpose.Public)]
    public void Intent_is_inferred_from_the_listener_and_the_first_verdict_from_outside(string address, FirewallVerdict? first, PortExpose expected)
    {
        var resolver = new WatchedPortResolver(_time);
        var sockets = Sockets(Tcp(address, 6000));
        Resolve(resolver, Auto(), sockets);
        _time.Advance(ConfigDefaults.AutoWatchMinAge);
        var ports = Resolve(resolver, Auto(), sockets);
        if (first is { } verdict)
        {
            ports = resolver.Settle(ports, FirewallSaying(verdict));

            // The state first seen decides: a later change of the firewall does not change the intent.
            _time.Advance(TimeSpan.FromSeconds(15));
            var flipped = verdict == FirewallVerdict.Accept ? FirewallVerdict.Drop : FirewallVerdict.Accept;
            Assert.Equal(expected, Assert.Single(resolver.Settle(Resolve(resolver, Auto(), sockets), FirewallSaying(flipped))).Expose);
        }

        var port = Assert.Single(ports);
        Assert.Equal(expected, port.Expose);
        Assert.Equal(IntentOrigin.Inferred, port.Origin);
    }

    [Fact]
    public void Configured_ports_alone_are_returned_unchanged_without_auto_watch()
    {
        var config = ConfigLoader.Parse("ports:\n  - name: web\n    port: 8080\n", "c.yml");
        var resolver = new WatchedPortResolver(_time);

        Assert.Same(config.Ports, resolver.Resolve(config, Sockets(Tcp("0.0.0.0", 9000)), null, Network));
    }

    private static FirewallEvidence FirewallSaying(FirewallVerdict verdict)
    {
        var decision = new FirewallDecision(verdict, "nftables", "inet filter", "input", "policy " + verdict.ToString().ToLowerInvariant());
        return new FirewallEvidence(["nftables"], new Dictionary<PortKey, FirewallPortResult> { [new PortKey(6000, TransportProtocol.Tcp)] = new(decision, decision) }, DateTimeOffset.UnixEpoch);
    }
}
