using System.Net;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Iptables.Modules;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>
/// A reverse path filter in the ruleset (fixtures/nft-fib-rpfilter: <c>fib saddr . iif oif missing drop</c>, captured),
/// decided by the host's route back to the source: dropped where it leaves by another interface than the one the
/// connection came in on, kept where the routes are not known.
/// </summary>
public sealed class ReversePathEvaluationTests
{
    private static readonly FirewallEvaluator Evaluator = new(new Model.FirewallRuleset(NftJsonParser.Parse(Fixtures.Read("nft-fib-rpfilter", "nft.json")).Tables));

    private static SimulatedConnection Arriving(string ingress, string source = "203.0.113.1", string address = "198.51.100.1") =>
        new(ConnectionOrigin.Outside, IPAddress.Parse(source), IPAddress.Parse(address), ingress, TransportProtocol.Tcp, 8080);

    [Fact]
    public void A_connection_in_by_an_interface_the_route_back_does_not_leave_by_is_dropped_by_the_rule()
    {
        var decision = Evaluator.Evaluate(Arriving("eth1"), routeBack: _ => "eth0").Decision;

        Assert.Equal(FirewallVerdict.Drop, decision.Verdict);
        Assert.Equal(("rpf", "prerouting"), (decision.Table, decision.Chain));
        Assert.Contains("fib saddr . iif oif missing drop", decision.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eth1", "eth1")]
    [InlineData("lo", "eth0")]
    public void A_route_back_by_the_incoming_interface_or_loopback_passes(string ingress, string back)
    {
        Assert.Equal(FirewallVerdict.Accept, Evaluator.Evaluate(Arriving(ingress), routeBack: _ => back).Decision.Verdict);
    }

    [Fact]
    public void Without_the_hosts_routes_the_lookup_is_taken_to_pass()
    {
        Assert.Equal(FirewallVerdict.Accept, Evaluator.Evaluate(Arriving("eth1")).Decision.Verdict);
        Assert.Equal(FirewallVerdict.Drop, Evaluator.Evaluate(Arriving("eth1") with { Port = 8081 }).Decision.Verdict);
    }

    [Theory]
    [InlineData(false, "eth0", MatchResult.Yes)]
    [InlineData(false, "eth1", MatchResult.No)]
    [InlineData(true, "eth0", MatchResult.No)]
    [InlineData(true, null, MatchResult.Yes)]
    public void Iptables_rpfilter_invert_matches_the_packets_the_check_fails(bool loose, string? back, MatchResult expected)
    {
        string[] args = loose ? ["--loose", "--invert"] : ["--invert"];
        var context = new ModuleContext(args, 4) { Position = loose ? 2 : 1 };
        IptablesMatchModules.ByName["rpfilter"].Read(context, "rpfilter", "--invert", false);
        var packet = Packets.Syn("203.0.113.1", "198.51.100.1", 8080, "eth1");

        Assert.Equal(expected, Assert.Single(context.Matches).Evaluate(new PacketState
        {
            IpVersion = packet.IpVersion,
            Protocol = packet.Protocol,
            Source = packet.Source,
            Destination = packet.Destination,
            DestinationAddress = packet.DestinationAddress,
            InInterface = packet.InInterface,
            OutInterface = packet.OutInterface,
            SourceIsLocal = false,
            RouteBackKnown = true,
            RouteBackInterface = back,
        }));
    }
}
