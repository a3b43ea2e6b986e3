using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// A dual-stack service ([::] with IPV6_V6ONLY off) on a host with an outside path in both families: outside clients
/// come over IPv4 and IPv6, so outside is simulated in both and the rules that tell them apart decide (captured
/// procfs of host-network: default routes of both families on eth0; captured rules of ipv6-only-rules: ip6tables drops
/// 8080, nothing drops it over IPv4).
/// </summary>
public sealed class DualStackOutsideTests
{
    private static readonly HostPaths Paths = new(Path.Combine(FirewallFixture.Root, "host-network"), "/nonexistent", "/nonexistent");

    private static async Task<FirewallPortResult> OutsideOf(PortSpec port, params Listener[] listeners)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var config = ExporterConfig.AutoDiscover with { SourcePath = "test.yml", Ports = [port] };
        using var collector = new FirewallCollector(FixtureCommands.Runner("ipv6-only-rules"), Paths, time, NullLogger<FirewallCollector>.Instance, new FixedSignal());
        var facts = new HostFacts(HostNetworkReader.Read(Paths), new SocketEvidence(listeners), null);
        var firewall = await collector.CollectAsync(new CollectionContext(config, Paths, time, time.GetUtcNow().AddSeconds(10)), facts, config.Ports, CancellationToken.None);
        return firewall!.Ports[port.Key];
    }

    [Fact]
    public async Task A_dual_stack_service_dropped_over_IPv6_only_is_blocked_from_outside()
    {
        var result = await OutsideOf(new PortSpec("web", 8080, TransportProtocol.Tcp), new Listener(TransportProtocol.Tcp, IPAddress.IPv6Any, 8080, 1, V6Only: false));

        Assert.Equal(FirewallVerdict.Drop, result.Outside.Verdict);
        Assert.Equal(IPAddress.Parse("2001:db8:77::1"), result.OutsideConnection!.Destination);
        Assert.Contains("the rules tell the address families apart: IPv4 accept, IPv6 drop", result.Outside.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_IPv4_service_and_an_internal_port_are_judged_by_the_way_in()
    {
        // Only IPv4 is served: IPv6 outside clients are not the service's.
        var v4 = await OutsideOf(new PortSpec("web", 8080, TransportProtocol.Tcp), new Listener(TransportProtocol.Tcp, IPAddress.Any, 8080, 1));
        Assert.Equal(FirewallVerdict.Accept, v4.Outside.Verdict);
        Assert.Equal(IPAddress.Parse("10.77.0.1"), v4.OutsideConnection!.Destination);

        // An internal port must be closed to outside in every family: the family that gets in decides.
        var internalPort = await OutsideOf(new PortSpec("web", 8080, TransportProtocol.Tcp) { Expose = PortExpose.Internal }, new Listener(TransportProtocol.Tcp, IPAddress.IPv6Any, 8080, 1, V6Only: false));
        Assert.Equal(FirewallVerdict.Accept, internalPort.Outside.Verdict);
        Assert.Equal(IPAddress.Parse("10.77.0.1"), internalPort.OutsideConnection!.Destination);
    }

    [Theory]
    [InlineData(PortExpose.Public)]
    [InlineData(PortExpose.Internal)]
    public async Task An_auto_watched_port_is_judged_by_its_one_family_as_its_intent_was_inferred(PortExpose expose)
    {
        // Auto-watch settles a wildcard port's intent from the first outside verdict: judging it by the blocking family
        // (internal) and then by the open one (exposed) would page a port nobody configured.
        var port = new PortSpec("auto-8080-tcp", 8080, TransportProtocol.Tcp) { Expose = expose, Origin = IntentOrigin.Inferred };

        var result = await OutsideOf(port, new Listener(TransportProtocol.Tcp, IPAddress.IPv6Any, 8080, 1, V6Only: false));

        Assert.Equal(FirewallVerdict.Accept, result.Outside.Verdict);
        Assert.Equal(IPAddress.Parse("10.77.0.1"), result.OutsideConnection!.Destination);
    }

    private sealed class FixedSignal : Core.Firewall.Reading.IRulesetChangeSignal
    {
        public ulong? Read() => 1;

        public bool CoversAllChanges() => false;
    }
}
