using System.Net;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>
/// IPv6 neighbour discovery through the rules (<see cref="FirewallEvaluator.EvaluateNeighbourDiscovery"/>): the rulesets
/// real tools wrote admit it (ufw's hop-limit-255 rules, firewalld's allow-host-ipv6 policy, a plain ICMPv6 accept),
/// and a policy drop that admits only the port drops it; the messages carry what those rules test (type, hop limit
/// 255, a multicast solicitation, untracked).
/// </summary>
public sealed class NeighbourDiscoveryTests
{
    private static readonly IPAddress Client = IPAddress.Parse("2001:db8:77::2");

    private static readonly SimulatedConnection Connection =
        new(ConnectionOrigin.Outside, Client, IPAddress.Parse("2001:db8:77::1"), "eth0", TransportProtocol.Tcp, 8080);

    private static FirewallEvaluator Ip6tables(string text) =>
        new(new FirewallRuleset(IptablesSaveParser.Parse(text, FirewallBackends.Ip6tablesNft, 6, "ip6tables-nft-save")));

    private static FirewallEvaluator Ip6tablesInput(params string[] rules) =>
        Ip6tables("*filter\n:INPUT DROP [0:0]\n" + string.Concat(rules.Select(r => $"[0:0] -A INPUT {r}\n")) + "COMMIT\n");

    [Fact]
    public void The_solicited_node_group_is_ff02_1_ff_and_the_last_24_bits()
    {
        Assert.Equal(IPAddress.Parse("ff02::1:ff00:1"), PacketState.SolicitedNode(IPAddress.Parse("2001:db8:77::1")));
        Assert.Equal(IPAddress.Parse("ff02::1:ffab:cdef"), PacketState.SolicitedNode(IPAddress.Parse("fd00::12:34ab:cdef")));
    }

    [Fact]
    public void Captured_ufw_firewalld_and_icmpv6_accepting_rulesets_admit_it()
    {
        var ufw = Ip6tables(Fixtures.Read("ufw-user-rules", "ip6tables-nft-save.txt")).EvaluateNeighbourDiscovery(Connection, Client);
        Assert.Contains("--icmpv6-type 135 -m hl --hl-eq 255 -j ACCEPT", ufw.Solicitation.Decision.Rule, StringComparison.Ordinal);
        Assert.Contains("--icmpv6-type 136 -m hl --hl-eq 255 -j ACCEPT", ufw.Advertisement.Decision.Rule, StringComparison.Ordinal);

        var firewalld = new FirewallEvaluator(new FirewallRuleset(NftJsonParser.Parse(Fixtures.Read("firewalld-nftables", "nft.json")).Tables))
            .EvaluateNeighbourDiscovery(Connection, IPAddress.Parse("fe80::1"));
        Assert.Equal((FirewallVerdict.Accept, "icmpv6 type nd-neighbor-solicit accept"), (firewalld.Solicitation.Decision.Verdict, Rule(firewalld.Solicitation)));
        Assert.Equal((FirewallVerdict.Accept, "icmpv6 type nd-neighbor-advert accept"), (firewalld.Advertisement.Decision.Verdict, Rule(firewalld.Advertisement)));

        var plain = Ip6tables(Fixtures.Read("iptables-policy-drop-established", "ip6tables-nft-save.txt")).EvaluateNeighbourDiscovery(Connection, Client);
        Assert.Equal(FirewallVerdict.Accept, plain.Solicitation.Decision.Verdict);
        Assert.Equal(FirewallVerdict.Accept, plain.Advertisement.Decision.Verdict);
    }

    [Fact]
    public void A_policy_drop_that_admits_only_the_port_drops_it()
    {
        var evaluator = Ip6tablesInput("-i lo -j ACCEPT", "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-p tcp -m tcp --dport 8080 -j ACCEPT");

        Assert.Equal(FirewallVerdict.Accept, evaluator.Evaluate(Connection).Decision.Verdict);
        var (solicitation, advertisement) = evaluator.EvaluateNeighbourDiscovery(Connection, Client);
        Assert.Equal((FirewallVerdict.Drop, "policy drop"), (solicitation.Decision.Verdict, solicitation.Decision.Rule));
        Assert.Equal((FirewallVerdict.Drop, "policy drop"), (advertisement.Decision.Verdict, advertisement.Decision.Rule));
    }

    [Theory]
    [InlineData("-p ipv6-icmp -m icmp6 --icmpv6-type 135 -m hl --hl-eq 64 -j ACCEPT", FirewallVerdict.Drop, FirewallVerdict.Drop)]
    [InlineData("-p ipv6-icmp -m hl --hl-eq 255 -j ACCEPT", FirewallVerdict.Accept, FirewallVerdict.Accept)]
    [InlineData("-p ipv6-icmp -m hl --hl-lt 255 -j ACCEPT", FirewallVerdict.Drop, FirewallVerdict.Drop)]
    [InlineData("-m pkttype --pkt-type multicast -j ACCEPT", FirewallVerdict.Accept, FirewallVerdict.Drop)]
    [InlineData("-m addrtype --dst-type MULTICAST -j ACCEPT", FirewallVerdict.Accept, FirewallVerdict.Drop)]
    [InlineData("-m conntrack --ctstate UNTRACKED -j ACCEPT", FirewallVerdict.Accept, FirewallVerdict.Accept)]
    [InlineData("-m conntrack --ctstate NEW -j ACCEPT", FirewallVerdict.Drop, FirewallVerdict.Drop)]
    [InlineData("-s fe80::/10 -p ipv6-icmp -j ACCEPT", FirewallVerdict.Drop, FirewallVerdict.Drop)]
    public void The_messages_have_the_fields_the_rules_test(string rule, FirewallVerdict solicitation, FirewallVerdict advertisement)
    {
        var (ns, na) = Ip6tablesInput(rule).EvaluateNeighbourDiscovery(Connection, Client);

        Assert.Equal((solicitation, advertisement), (ns.Decision.Verdict, na.Decision.Verdict));
    }

    [Fact]
    public void A_router_at_a_link_local_address_is_on_the_link_it_came_in_on()
    {
        var evaluator = Ip6tablesInput("-s fe80::/10 -p ipv6-icmp -m rpfilter -j ACCEPT");

        var (ns, na) = evaluator.EvaluateNeighbourDiscovery(Connection, IPAddress.Parse("fe80::1"), _ => "eth1");

        Assert.Equal((FirewallVerdict.Accept, FirewallVerdict.Accept), (ns.Decision.Verdict, na.Decision.Verdict));
    }

    private static string Rule(FirewallEvaluation evaluation) =>
        evaluation.Decision.Rule[(evaluation.Decision.Rule.IndexOf(':', StringComparison.Ordinal) + 2)..];
}
