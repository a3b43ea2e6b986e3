using System.Net;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Firewalld;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>The ruleset a real firewalld 1.3 rendered (fixtures/firewalld-nftables) and its own zone listing, read together.</summary>
public sealed class FirewalldRulesetTests
{
    private const string Fixture = "firewalld-nftables";

    private static readonly FirewallEvaluator Evaluator = new(new FirewallRuleset(NftJsonParser.Parse(Fixtures.Read(Fixture, "nft.json")).Tables));

    private static readonly FirewalldConfiguration Configuration = new(
        FirewalldZonesParser.Parse(Fixtures.Read(Fixture, "list-all-zones.txt")),
        new Dictionary<string, IReadOnlyList<string>>
        {
            // The ports of the services the zones name, from the service files firewalld ships (fixtures/firewalld/rootfs).
            ["ssh"] = FirewalldServiceParser.ParsePorts(Fixtures.Read("firewalld", "rootfs/usr/lib/firewalld/services/ssh.xml"), "ssh.xml"),
            ["dhcpv6-client"] = FirewalldServiceParser.ParsePorts(Fixtures.Read("firewalld", "rootfs/usr/lib/firewalld/services/dhcpv6-client.xml"), "dhcpv6-client.xml"),
        });

    private static SimulatedConnection Outside(string source, string inInterface, int port) =>
        new(ConnectionOrigin.Outside, IPAddress.Parse(source), IPAddress.Parse(inInterface == "eth0" ? "10.77.0.1" : "192.0.2.10"), inInterface, TransportProtocol.Tcp, port);

    [Theory]
    [InlineData("203.0.113.1", "eth0", 8080, FirewallVerdict.Reject, "public", false)]
    [InlineData("203.0.113.1", "eth0", 8443, FirewallVerdict.Accept, "public", true)]
    [InlineData("203.0.113.1", "eth0", 22, FirewallVerdict.Accept, "public", true)]
    [InlineData("203.0.113.1", "eth1", 8443, FirewallVerdict.Reject, "work", false)]
    [InlineData("10.10.3.4", "eth0", 8080, FirewallVerdict.Accept, "trusted", true)]
    public void The_zone_firewalld_names_agrees_with_the_ruleset_it_rendered(string source, string inInterface, int port, FirewallVerdict verdict, string zone, bool opens)
    {
        var connection = Outside(source, inInterface, port);
        var decision = Evaluator.Evaluate(connection, a => a.Equals(connection.Destination)).Decision;
        Assert.Equal(verdict, decision.Verdict);
        var explanation = FirewalldExplainer.Explain(Configuration, connection);
        Assert.NotNull(explanation);
        Assert.Equal((zone, opens), (explanation.Zone, explanation.Opens));
        if (decision.Blocks)
        {
            Assert.Equal(FirewalldRules.NftTable, decision.Table);
            Assert.Equal(TableFamily.Inet, decision.Family);
            Assert.Equal($"filter_IN_{zone}", decision.Chain);
            Assert.True(FirewalldRules.Made(decision));
        }
    }

    [Fact]
    public void A_zone_bound_by_interface_or_source_says_how()
    {
        Assert.Equal("interfaces eth0", FirewalldExplainer.Explain(Configuration, Outside("203.0.113.1", "eth0", 8080))!.Binding);
        Assert.Equal("source 10.10.0.0/16", FirewalldExplainer.Explain(Configuration, Outside("10.10.3.4", "eth0", 8080))!.Binding);
    }

    [Fact]
    public void Rules_outside_firewalld_are_not_its_own()
    {
        Assert.False(FirewalldRules.Made(new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.Nftables, "filter", "input", "tcp dport 8080 drop")));
        Assert.True(FirewalldRules.Made(new FirewallDecision(FirewallVerdict.Reject, FirewallBackends.IptablesNft, "filter", "IN_public", "rule 9: -A IN_public -j REJECT")));
    }
}
