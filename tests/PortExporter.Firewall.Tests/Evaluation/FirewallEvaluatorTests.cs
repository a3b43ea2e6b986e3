using System.Net;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary>Evaluator behaviours on rulesets built here or parsed from one captured dump.</summary>
public sealed class FirewallEvaluatorTests
{
    private static SimulatedConnection Outside(int port, string source = "203.0.113.1", string destination = "10.77.0.1") =>
        new(ConnectionOrigin.Outside, IPAddress.Parse(source), IPAddress.Parse(destination), "eth0", TransportProtocol.Tcp, port);

    private static SimulatedConnection Inside(int port) => new(ConnectionOrigin.Inside, IPAddress.Loopback, IPAddress.Loopback, "lo", TransportProtocol.Tcp, port);

    [Fact]
    public void With_no_ruleset_everything_is_accepted_and_says_so()
    {
        var decision = new FirewallEvaluator(FirewallRuleset.Empty).Evaluate(Outside(8080)).Decision;
        Assert.Equal(new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.None, string.Empty, string.Empty, "no rule on the path"), decision);
    }

    [Theory]
    [InlineData(10, FirewallVerdict.Drop)]
    [InlineData(40, FirewallVerdict.Unknown)]
    public void Forks_on_unknown_matches_within_a_budget(int unknownRules, FirewallVerdict expected)
    {
        var rules = Enumerable.Range(1, unknownRules)
            .Select(i => new FirewallRule(i, null, $"-A INPUT -m set --match-set list{i} src -j DROP", [new UnknownMatch($"-m set list{i}")], RuleAction.Drop))
            .ToList();
        var chain = new FirewallChain("INPUT", new BaseChainHook(NetfilterHook.Input, 0, ChainType.Filter, PolicyDrops: true), rules);
        var table = new FirewallTable(FirewallBackends.IptablesLegacy, TableFamily.Ip, "filter", new Dictionary<string, FirewallChain> { ["INPUT"] = chain });
        Assert.Equal(expected, new FirewallEvaluator(new FirewallRuleset([table])).Evaluate(Outside(8080)).Decision.Verdict);
    }

    [Fact]
    public void A_jump_loop_is_unknown_not_a_crash()
    {
        var loop = new FirewallChain("LOOP", null, [new FirewallRule(1, null, "-A LOOP -j LOOP", [], RuleAction.Jump("LOOP"))]);
        var input = new FirewallChain("INPUT", new BaseChainHook(NetfilterHook.Input, 0, ChainType.Filter, false), [new FirewallRule(1, null, "-A INPUT -j LOOP", [], RuleAction.Jump("LOOP"))]);
        var table = new FirewallTable(FirewallBackends.IptablesLegacy, TableFamily.Ip, "filter", new Dictionary<string, FirewallChain> { ["INPUT"] = input, ["LOOP"] = loop });
        var decision = new FirewallEvaluator(new FirewallRuleset([table])).Evaluate(Outside(8080)).Decision;
        Assert.Equal(FirewallVerdict.Unknown, decision.Verdict);
        Assert.Contains("jumps nest deeper", decision.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "eth0" }, FirewallVerdict.Drop)]
    [InlineData(new[] { "eth1" }, FirewallVerdict.Accept)]
    [InlineData(null, FirewallVerdict.Unknown)]
    public void Ingress_chains_apply_to_their_device_and_an_unshown_device_is_unknown(string[]? devices, FirewallVerdict expected)
    {
        var chain = new FirewallChain("ingress", new BaseChainHook(NetfilterHook.Ingress, 0, ChainType.Filter, false, devices), [new FirewallRule(1, 1, "tcp dport 8080 drop", [new FieldMatch(PacketField.DestinationPort, new NumericValues(IntervalSet.One(8080)))], RuleAction.Drop)]);
        var table = new FirewallTable(FirewallBackends.Nftables, TableFamily.Netdev, "edge", new Dictionary<string, FirewallChain> { ["ingress"] = chain });
        Assert.Equal(expected, new FirewallEvaluator(new FirewallRuleset([table])).Evaluate(Outside(8080)).Decision.Verdict);
    }

    [Theory]
    [InlineData(TableFamily.Bridge, NetfilterHook.Input, null, FirewallVerdict.Drop)]
    [InlineData(TableFamily.Bridge, NetfilterHook.Prerouting, null, FirewallVerdict.Drop)]
    [InlineData(TableFamily.Netdev, NetfilterHook.Ingress, "eth3", FirewallVerdict.Drop)]
    [InlineData(TableFamily.Netdev, NetfilterHook.Ingress, "eth4", FirewallVerdict.Accept)]
    public void A_connection_arriving_on_a_bridge_crosses_its_port_the_bridge_family_and_that_ports_ingress_first(TableFamily family, NetfilterHook hook, string? device, FirewallVerdict expected)
    {
        var chain = new FirewallChain("in", new BaseChainHook(hook, 0, ChainType.Filter, false, device is null ? null : [device]), [new FirewallRule(1, 1, "tcp dport 8080 drop", [FieldMatch.ProtocolIs(PacketState.Tcp), new FieldMatch(PacketField.DestinationPort, new NumericValues(IntervalSet.One(8080)))], RuleAction.Drop)]);
        var evaluator = new FirewallEvaluator(new FirewallRuleset([new FirewallTable(FirewallBackends.Nftables, family, "f", new Dictionary<string, FirewallChain> { ["in"] = chain })]));
        var bridged = new SimulatedConnection(ConnectionOrigin.Outside, IPAddress.Parse("203.0.113.1"), IPAddress.Parse("10.77.0.1"), "br0", TransportProtocol.Tcp, 8080) { BridgePort = "eth3" };

        Assert.Equal(expected, evaluator.Evaluate(bridged).Decision.Verdict);
        // Not arriving through a bridge port: neither the bridge family nor the port's ingress is on the way.
        Assert.Equal(FirewallVerdict.Accept, evaluator.Evaluate(bridged with { BridgePort = null }).Decision.Verdict);
    }

    [Fact]
    public void A_long_indexed_chain_decides_like_a_plain_walk()
    {
        // Built from the captured counters dump's rule line: 300 rules, single ports, a 100-port range (not
        // indexed by port), a negated port, a source-scoped rule and port-less rules, in one chain.
        var captured = Fixtures.Read("counters", "iptables-nft-save.txt").Split('\n');
        var head = captured.TakeWhile(l => !l.Contains("-A INPUT", StringComparison.Ordinal));
        var rules = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            rules.Add(i switch
            {
                50 => "[0:0] -A INPUT -p tcp -m multiport --dports 30100:30199 -j ACCEPT",
                60 => "[0:0] -A INPUT -p tcp -m tcp ! --dport 30000:30300 -j REJECT --reject-with tcp-reset",
                70 => "[0:0] -A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 30250 -j ACCEPT",
                80 => "[0:0] -A INPUT -i lo -j ACCEPT",
                _ => $"[0:0] -A INPUT -p tcp -m tcp --dport {30000 + i} -j {(i % 2 == 0 ? "DROP" : "REJECT")}",
            });
        }

        var text = string.Join('\n', head) + "\n" + string.Join('\n', rules) + "\nCOMMIT\n";
        var table = PortExporter.Firewall.Iptables.IptablesSaveParser.Parse(text, FirewallBackends.IptablesLegacy, 4, "test").Single();
        var evaluator = new FirewallEvaluator(new FirewallRuleset([table]));
        var chain = table.Chains["INPUT"].Rules;
        for (var port = 29990; port <= 30310; port++)
        {
            // Outside connections: their replies leave through output, where this ruleset has no chain.
            foreach (var connection in (SimulatedConnection[])[Outside(port), Outside(port, source: "198.51.100.1")])
            {
                var packet = Packets.Syn(connection.Source.ToString(), connection.Destination.ToString(), port, connection.Interface);
                var first = chain.FirstOrDefault(r => r.Evaluate(packet) == MatchResult.Yes);
                var decision = evaluator.Evaluate(connection).Decision;
                Assert.True((first?.Label ?? "policy accept") == decision.Rule, $"{connection}: first matching rule {first?.Label}, evaluator {decision.Rule}");
            }
        }
    }

    [Fact]
    public void Labels_are_shortened()
    {
        var rule = new FirewallRule(3, null, "-A INPUT " + new string('x', 300), [], RuleAction.Drop);
        Assert.Equal(FirewallRule.MaxLabelLength, rule.Label.Length);
        Assert.EndsWith("...", rule.Label, StringComparison.Ordinal);
    }

    /// <summary>
    /// A load-balancing chain as kube-proxy writes it: the first endpoint by <c>-m statistic --mode random</c>, else the
    /// second. Both ways are walked. Both forwarded and accepted: accept, with both endpoints known; one of them dropped
    /// in FORWARD: the drop decides (some connections fail) and says so.
    /// </summary>
    [Theory]
    [InlineData("", FirewallVerdict.Accept)]
    [InlineData("-A FORWARD -d 10.244.2.7/32 -p tcp -m tcp --dport 8080 -j DROP", FirewallVerdict.Drop)]
    public void Every_way_of_a_random_choice_is_followed(string forwardRule, FirewallVerdict expected)
    {
        var text = $"""
            *nat
            :PREROUTING ACCEPT [0:0]
            :SVC - [0:0]
            -A PREROUTING -p tcp -m tcp --dport 30080 -j SVC
            -A SVC -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.244.1.5:8080
            -A SVC -j DNAT --to-destination 10.244.2.7:8080
            COMMIT
            *filter
            :FORWARD ACCEPT [0:0]
            {forwardRule}
            COMMIT
            """;
        var tables = PortExporter.Firewall.Iptables.IptablesSaveParser.Parse(text, FirewallBackends.IptablesLegacy, 4, "test");
        var evaluator = new FirewallEvaluator(new FirewallRuleset(tables));
        var decision = evaluator.Evaluate(Outside(30080), a => a.Equals(IPAddress.Parse("10.77.0.1")), a => a.ToString().StartsWith("10.244.", StringComparison.Ordinal) ? "cni0" : "eth0").Decision;

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.244.1.5"), 8080), new IPEndPoint(IPAddress.Parse("10.244.2.7"), 8080)], decision.ForwardTargets);
        if (expected == FirewallVerdict.Drop)
        {
            Assert.Equal(new IPEndPoint(IPAddress.Parse("10.244.2.7"), 8080), decision.ForwardedTo);
            Assert.StartsWith("a random choice (rule 1: -A SVC -m statistic", decision.Detail, StringComparison.Ordinal);
            Assert.EndsWith("where they are dropped; the others are accepted", decision.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(decision.Detail);
            Assert.Equal("prerouting -> dnat 10.244.1.5:8080 | 10.244.2.7:8080 -> forward out cni0 -> postrouting -> accept", decision.Path);
        }
    }

    /// <summary>
    /// A service with many endpoints, as kube-proxy writes it (probability 1/n, 1/(n-1), ..., then the last one): every
    /// endpoint is followed within <see cref="FirewallEvaluator.MaxRandomWalks"/>; past it the verdict is unknown.
    /// </summary>
    [Theory]
    [InlineData(40, FirewallVerdict.Accept)]
    [InlineData(200, FirewallVerdict.Unknown)]
    public void Every_endpoint_of_a_large_service_is_followed_within_a_budget(int endpoints, FirewallVerdict expected)
    {
        var rules = Enumerable.Range(0, endpoints).Select(i =>
        {
            var to = $"10.244.{i / 250}.{(i % 250) + 1}:8080";
            var choice = i < endpoints - 1 ? $"-m statistic --mode random --probability {(1.0 / (endpoints - i)).ToString("0.0000000000", System.Globalization.CultureInfo.InvariantCulture)} " : string.Empty;
            return $"-A SVC {choice}-j DNAT --to-destination {to}";
        });
        var text = $"""
            *nat
            :PREROUTING ACCEPT [0:0]
            :SVC - [0:0]
            -A PREROUTING -p tcp -m tcp --dport 30080 -j SVC
            {string.Join("\n", rules)}
            COMMIT
            """;
        var tables = PortExporter.Firewall.Iptables.IptablesSaveParser.Parse(text, FirewallBackends.IptablesLegacy, 4, "test");
        var decision = new FirewallEvaluator(new FirewallRuleset(tables)).Evaluate(Outside(30080), a => a.Equals(IPAddress.Parse("10.77.0.1")), _ => "cni0").Decision;

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal(expected == FirewallVerdict.Accept ? endpoints : 0, decision.ForwardTargets.Count());
    }

    [Fact]
    public void A_redirect_or_a_dnat_to_this_host_says_where_the_connection_is_delivered()
    {
        var tables = PortExporter.Firewall.Iptables.IptablesSaveParser.Parse(Fixtures.Read("nat-redirect-dnat", "iptables-nft-save.txt"), FirewallBackends.IptablesNft, 4, "iptables-nft-save");
        var evaluator = new FirewallEvaluator(new FirewallRuleset(tables));
        bool IsLocal(IPAddress a) => a.Equals(IPAddress.Parse("10.77.0.1"));

        var redirected = evaluator.Evaluate(Outside(8082), IsLocal, _ => "eth0").Decision;
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.77.0.1"), 9092), redirected.DeliveredTo);
        Assert.Null(redirected.ForwardedTo);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.77.0.1"), 9092)], redirected.TranslatedTargets);

        var natted = evaluator.Evaluate(Outside(8081), IsLocal, _ => "eth0").Decision;
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.77.0.1"), 9091), natted.DeliveredTo);

        // A DNAT to loopback from outside is delivered on this host (where route_localnet lets it: the caller's to say);
        // the host's own connection sent to loopback by an output DNAT is its connection to itself, delivered nowhere else.
        var toLoopback = PortExporter.Firewall.Iptables.IptablesSaveParser.Parse("*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 127.0.0.1:9095\n-A OUTPUT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 127.0.0.1:9095\nCOMMIT\n", FirewallBackends.IptablesLegacy, 4, "test");
        var loopbackEvaluator = new FirewallEvaluator(new FirewallRuleset(toLoopback));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9095), loopbackEvaluator.Evaluate(Outside(8080), a => IPAddress.IsLoopback(a) || IsLocal(a), _ => "eth0").Decision.DeliveredTo);
        Assert.Null(loopbackEvaluator.Evaluate(Inside(8080), a => IPAddress.IsLoopback(a) || IsLocal(a), _ => "eth0").Decision.DeliveredTo);

        // Untranslated, nothing is delivered elsewhere.
        Assert.Null(evaluator.Evaluate(Outside(22), IsLocal, _ => "eth0").Decision.DeliveredTo);
    }
}
