using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Firewalld;
using PortExporter.Firewall.Nftables;
using PortExporter.Tests.Firewall;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Diagnosis;

/// <summary>
/// A blocked port on a firewalld host, on the ruleset a real firewalld rendered (Firewall/fixtures/firewalld-nftables):
/// the fix is firewalld's, in the zone of the interface or source outside traffic comes in by.
/// </summary>
public sealed class FirewalldDiagnosisTests
{
    private const string Fixture = "firewalld-nftables";

    /// <summary>The capture namespace: eth0 10.77.0.1 with the default route (zone public), eth1 192.0.2.10 (zone work).</summary>
    private static readonly HostNetwork CaptureNetwork = new(
        [new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("eth0", [IPAddress.Parse("10.77.0.1")]), new HostInterface("eth1", [IPAddress.Parse("192.0.2.10")])],
        "eth0",
        null);

    private static FirewallEvidence Evidence(PortSpec port, IPAddress? externalSource = null)
    {
        var evaluator = new FirewallEvaluator(new PortExporter.Firewall.Model.FirewallRuleset(NftJsonParser.Parse(FirewallFixture.Read(Fixture, "nft.json")).Tables));
        var zones = FirewalldZonesParser.Parse(FirewallFixture.Read(Fixture, "list-all-zones.txt"));
        var plan = ConnectionPlanner.Plan(port, null, CaptureNetwork, externalSource);
        var outside = evaluator.Evaluate(plan.Outside!, CaptureNetwork.IsLocal).Decision;
        var inside = evaluator.Evaluate(plan.Inside.Connections.Single(), CaptureNetwork.IsLocal).Decision;
        var explanation = FirewalldExplainer.Explain(new FirewalldConfiguration(zones, new Dictionary<string, IReadOnlyList<string>>()), plan.Outside!);
        return new FirewallEvidence(
            [FirewallBackends.Nftables, FirewallBackends.Firewalld],
            new Dictionary<PortKey, FirewallPortResult> { [port.Key] = new(outside, inside, OutsideConnection: plan.Outside, FirewalldExplanation: explanation) },
            DateTimeOffset.UnixEpoch,
            zones);
    }

    [Theory]
    [InlineData(null, "work")]
    [InlineData("10.77.0.1", "public")]
    public void A_port_firewalld_blocks_gets_the_firewall_cmd_fix_in_the_zone_of_its_interface(string? bind, string zone)
    {
        var port = WebPort with { Bind = bind is null ? WebPort.Bind : IPAddress.Parse(bind) };
        var evidence = Healthy() with { Firewall = Evidence(port), Sockets = SocketsOf(Listening(port.Bind!.ToString())) };

        var diagnosis = Diagnoser.Diagnose(port, evidence);

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains($"firewalld: zone {zone} (interfaces eth", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("does not open 8080/tcp", diagnosis.Summary, StringComparison.Ordinal);
        Assert.StartsWith($"firewall-cmd --permanent --zone={zone} --add-port=8080/tcp && firewall-cmd --reload", diagnosis.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("nft insert", diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_bound_zone_that_accepts_leaves_nothing_to_fix()
    {
        var port = WebPort with { Bind = IPAddress.Parse("10.77.0.1") };
        var evidence = Healthy() with { Firewall = Evidence(port, IPAddress.Parse("10.10.3.4")), Sockets = SocketsOf(Listening("10.77.0.1")) };

        var diagnosis = Diagnoser.Diagnose(port, evidence);

        Assert.DoesNotContain(Cause.FirewallBlocked, diagnosis.Findings);
    }
}
