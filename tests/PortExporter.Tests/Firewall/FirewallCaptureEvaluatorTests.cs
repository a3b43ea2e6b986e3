using System.Net;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Model;

namespace PortExporter.Tests.Firewall;

/// <summary>Evaluator behaviours on the rulesets the exporter assembles from a capture, beyond the per-port verdicts of <see cref="FirewallFixtureTests"/>.</summary>
public sealed class FirewallCaptureEvaluatorTests
{
    private static SimulatedConnection Outside(int port) =>
        new(ConnectionOrigin.Outside, IPAddress.Parse("203.0.113.1"), IPAddress.Parse("10.77.0.1"), "eth0", TransportProtocol.Tcp, port);

    private static SimulatedConnection Inside(int port) => new(ConnectionOrigin.Inside, IPAddress.Loopback, IPAddress.Loopback, "lo", TransportProtocol.Tcp, port);

    private static FirewallEvaluator Fixture(string name) => new(FirewallFixture.Ruleset(name).Ruleset);

    [Fact]
    public void Names_the_deciding_rule_and_its_drop_counter()
    {
        var evaluator = Fixture("counters");
        var iptables = evaluator.Evaluate(Outside(8080), FirewallFixture.ServerNetwork.IsLocal);
        Assert.Equal(new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.IptablesNft, "filter", "INPUT", "handle 2: tcp dport 8080 drop") { Family = TableFamily.Ip }, iptables.Decision);
        Assert.True(iptables.DroppedPackets >= 3);
        var nft = evaluator.Evaluate(Outside(8081), FirewallFixture.ServerNetwork.IsLocal);
        Assert.Equal(("app", "input", "handle 2: tcp dport 8081 drop"), (nft.Decision.Table, nft.Decision.Chain, nft.Decision.Rule));
        Assert.True(nft.DroppedPackets >= 3);
    }

    [Fact]
    public void A_policy_drop_is_named_as_such()
    {
        var decision = Fixture("iptables-policy-drop-established").Evaluate(Outside(8080), FirewallFixture.ServerNetwork.IsLocal);
        Assert.Equal(new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.IptablesNft, "filter", "INPUT", "policy drop") { Family = TableFamily.Ip }, decision.Decision);
        Assert.Null(decision.DroppedPackets);
    }

    [Fact]
    public void A_reply_dropped_on_its_way_back_makes_the_inside_verdict_drop()
    {
        var decision = Fixture("iptables-drop-reject-ports").Evaluate(Inside(8100), FirewallFixture.ServerNetwork.IsLocal).Decision;
        Assert.Equal(FirewallVerdict.Drop, decision.Verdict);
        Assert.Equal("rule 8: -A INPUT -p tcp -m multiport ! --dports 1:9000 -j DROP", decision.Rule);
        Assert.Equal("the SYN-ACK is dropped on its way back: the client times out", decision.Detail);
    }

    [Fact]
    public void An_unknown_match_that_could_decide_makes_the_verdict_unknown_naming_the_rule()
    {
        var decision = Fixture("unknown-match").Evaluate(Outside(8080), FirewallFixture.ServerNetwork.IsLocal).Decision;
        Assert.Equal(FirewallVerdict.Unknown, decision.Verdict);
        Assert.StartsWith("rule 1: -A INPUT -p tcp -m tcp --dport 8080 -m string", decision.Rule, StringComparison.Ordinal);
        Assert.StartsWith("unknown: -m string --string GET", decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redirect_is_reported_and_followed_and_a_dnat_away_is_not_guessed()
    {
        var redirected = Fixture("nat-redirect-dnat").Evaluate(Outside(8080), FirewallFixture.ServerNetwork.IsLocal);
        Assert.Equal(FirewallVerdict.Drop, redirected.Decision.Verdict);
        Assert.Equal("rule 1: -A INPUT -p tcp -m tcp --dport 9090 -j DROP", redirected.Decision.Rule);
        Assert.StartsWith("REDIRECT to port 9090 (iptables-nft ip nat PREROUTING, rule 1:", redirected.Redirect, StringComparison.Ordinal);

        var away = Fixture("parser-coverage").Evaluate(Outside(8080), FirewallFixture.ServerNetwork.IsLocal);
        Assert.Equal(FirewallVerdict.Unknown, away.Decision.Verdict);
        Assert.Equal("DNAT sends the connection to another host: the local port is not reached", away.Decision.Detail);
        Assert.Contains("10.0.0.2:80", away.Redirect, StringComparison.Ordinal);
    }

    [Fact]
    public void A_published_port_is_followed_through_the_forward_hook_to_the_rule_that_decides()
    {
        const string fixture = "docker-published-port";
        var network = FirewallFixture.Network(fixture);
        var evaluator = Fixture(fixture);
        var container = IPAddress.Parse("172.31.0.2");

        var user = evaluator.Evaluate(Outside(8081), network.IsLocal, network.EgressInterface);
        Assert.Equal((FirewallVerdict.Drop, "filter", "DOCKER-USER"), (user.Decision.Verdict, user.Decision.Table, user.Decision.Chain));
        Assert.EndsWith("-A DOCKER-USER -p tcp -m tcp --dport 81 -j DROP", user.Decision.Rule, StringComparison.Ordinal);
        Assert.Equal("prerouting -> dnat 172.31.0.2:81 -> forward out docker0 -> drop", user.Decision.Path);
        Assert.Equal(new IPEndPoint(container, 81), user.Decision.ForwardedTo);
        Assert.Contains("DNAT", user.Redirect, StringComparison.Ordinal);

        var policy = evaluator.Evaluate(Outside(8082), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal((FirewallVerdict.Drop, "filter", "FORWARD", "policy drop"), (policy.Verdict, policy.Table, policy.Chain, policy.Rule));
        Assert.Equal("prerouting -> dnat 172.31.0.2:82 -> forward out docker0 -> drop", policy.Path);

        var open = evaluator.Evaluate(Outside(8080), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal((FirewallVerdict.Accept, "filter", "DOCKER"), (open.Verdict, open.Table, open.Chain));
        Assert.EndsWith("-A DOCKER -d 172.31.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT", open.Rule, StringComparison.Ordinal);
        Assert.Equal("prerouting -> dnat 172.31.0.2:80 -> forward out docker0 -> postrouting -> accept", open.Path);

        // Without the host's routes the forward path cannot be walked: the DNAT away is not guessed.
        var unrouted = evaluator.Evaluate(Outside(8081), network.IsLocal).Decision;
        Assert.Equal(FirewallVerdict.Unknown, unrouted.Verdict);
        Assert.Equal("DNAT sends the connection to another host: the local port is not reached", unrouted.Detail);
    }

    [Fact]
    public void A_cni_host_port_is_followed_from_portmap_dnat_to_the_forward_rule_that_decides()
    {
        const string fixture = "cni-portmap-hostport";
        var network = FirewallFixture.Network(fixture);
        var evaluator = Fixture(fixture);

        var admin = evaluator.Evaluate(Outside(8081), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal((FirewallVerdict.Drop, "filter", "CNI-ADMIN"), (admin.Verdict, admin.Table, admin.Chain));
        Assert.EndsWith("-A CNI-ADMIN -d 10.88.0.2/32 -p tcp -m tcp --dport 81 -j DROP", admin.Rule, StringComparison.Ordinal);
        Assert.Equal("prerouting -> dnat 10.88.0.2:81 -> forward out cni0 -> drop", admin.Path);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.88.0.2"), 81), admin.ForwardedTo);

        var open = evaluator.Evaluate(Outside(8080), network.IsLocal, network.EgressInterface);
        Assert.Equal(FirewallVerdict.Accept, open.Decision.Verdict);
        Assert.Equal("prerouting -> dnat 10.88.0.2:80 -> forward out cni0 -> postrouting -> accept", open.Decision.Path);
        Assert.Contains("CNI-DN-aadaacf4fded809383695", open.Redirect, StringComparison.Ordinal);

        // The host itself on 127.0.0.1: portmap's nat OUTPUT rule sends it to the pod, past the forward hook.
        var host = evaluator.Evaluate(Inside(8081), network.IsLocal, network.EgressInterface);
        Assert.Equal(FirewallVerdict.Accept, host.Decision.Verdict);
        Assert.Contains("10.88.0.2:81", host.Redirect, StringComparison.Ordinal);
    }

    [Fact]
    public void Ufw_denies_the_host_port_but_docker_accepts_the_published_one_before_ufw_forward_rules()
    {
        const string fixture = "ufw-docker";
        var network = FirewallFixture.Network(fixture);
        var evaluator = Fixture(fixture);

        var denied = evaluator.Evaluate(Outside(9000), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal(new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.IptablesNft, "filter", "INPUT", "policy drop") { Family = TableFamily.Ip }, denied);
        var ssh = evaluator.Evaluate(Outside(22), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal((FirewallVerdict.Accept, "ufw-user-input"), (ssh.Verdict, ssh.Chain));

        // ufw-user-forward drops 172.31.0.2:80, but FORWARD reaches Docker's DOCKER chain first.
        var published = evaluator.Evaluate(Outside(8080), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal((FirewallVerdict.Accept, "filter", "DOCKER"), (published.Verdict, published.Table, published.Chain));
        Assert.EndsWith("-A DOCKER -d 172.31.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT", published.Rule, StringComparison.Ordinal);
        Assert.Equal("prerouting -> dnat 172.31.0.2:80 -> forward out docker0 -> postrouting -> accept", published.Path);

        var user = evaluator.Evaluate(Outside(8081), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal((FirewallVerdict.Drop, "filter", "DOCKER-USER"), (user.Verdict, user.Table, user.Chain));
        Assert.EndsWith("-A DOCKER-USER -p tcp -m tcp --dport 81 -j DROP", user.Rule, StringComparison.Ordinal);
        Assert.Equal("prerouting -> dnat 172.31.0.2:81 -> forward out docker0 -> drop", user.Path);
    }

    /// <summary>
    /// kube-proxy in iptables mode: NodePort 30080 goes KUBE-SERVICES -> KUBE-NODEPORTS -> KUBE-EXT -> KUBE-SVC, whose
    /// <c>-m statistic --mode random</c> picks KUBE-SEP 10.244.1.5:8080 or the other one; both ways are followed, both
    /// endpoints are known, and KUBE-FORWARD's masquerade-mark rule accepts them. NodePort 30081 without endpoints is
    /// rejected in KUBE-EXTERNAL-SERVICES, naming the service.
    /// </summary>
    [Fact]
    public void A_kube_proxy_node_port_is_followed_to_every_endpoint_of_its_random_choice()
    {
        const string fixture = "kube-proxy-iptables";
        var network = FirewallFixture.Network(fixture);
        var evaluator = Fixture(fixture);

        var web = evaluator.Evaluate(Outside(30080), network.IsLocal, network.EgressInterface);
        Assert.Equal((FirewallVerdict.Accept, "filter", "KUBE-FORWARD"), (web.Decision.Verdict, web.Decision.Table, web.Decision.Chain));
        Assert.EndsWith("-m mark --mark 0x4000/0x4000 -j ACCEPT", web.Decision.Rule, StringComparison.Ordinal);
        Assert.Equal("prerouting -> dnat 10.244.1.5:8080 | 10.244.2.7:8080 -> forward out cni0 -> postrouting -> accept", web.Decision.Path);
        Assert.Equal([Endpoint("10.244.1.5:8080"), Endpoint("10.244.2.7:8080")], web.Decision.ForwardTargets);
        Assert.Contains("nat KUBE-SEP-AFGSLHOD2HFNCBX4", web.Redirect, StringComparison.Ordinal);

        var down = evaluator.Evaluate(Outside(30081), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal((FirewallVerdict.Reject, "filter", "KUBE-EXTERNAL-SERVICES"), (down.Verdict, down.Table, down.Chain));
        Assert.Contains("default/down:http has no endpoints", down.Rule, StringComparison.Ordinal);

        // The node itself on 127.0.0.1 (localhost NodePorts): nat OUTPUT sends it to a pod; KUBE-FIREWALL's localnet
        // drop spares it (its source is 127.0.0.1, and it is DNATed).
        var host = evaluator.Evaluate(Inside(30080), network.IsLocal, network.EgressInterface);
        Assert.Equal(FirewallVerdict.Accept, host.Decision.Verdict);
        Assert.Contains("KUBE-SEP-", host.Redirect, StringComparison.Ordinal);
    }

    /// <summary>
    /// kube-proxy in nftables mode: the <c>services</c> chain looks 30080 up in <c>@service-nodeports</c> (key <c>meta
    /// l4proto . th dport</c>, behind <c>fib daddr type local</c>), the external chain jumps on to the service chain,
    /// whose <c>numgen random mod 2 vmap</c> picks an endpoint chain; both ways are followed. 30081 is in
    /// <c>@no-endpoint-nodeports</c>: reject-chain.
    /// </summary>
    [Fact]
    public void A_kube_proxy_nftables_node_port_is_followed_through_its_maps_to_every_endpoint()
    {
        const string fixture = "kube-proxy-nftables";
        var network = FirewallFixture.Network(fixture);
        var evaluator = Fixture(fixture);

        var web = evaluator.Evaluate(Outside(30080), network.IsLocal, network.EgressInterface);
        Assert.Equal(FirewallVerdict.Accept, web.Decision.Verdict);
        Assert.Equal("prerouting -> dnat 10.244.1.5:8080 | 10.244.2.7:8080 -> forward out cni0 -> postrouting -> accept", web.Decision.Path);
        Assert.Equal([Endpoint("10.244.1.5:8080"), Endpoint("10.244.2.7:8080")], web.Decision.ForwardTargets);
        Assert.Contains("kube-proxy endpoint-HGNPOIJ5-default/web/tcp/http__10.244.1.5/8080", web.Redirect, StringComparison.Ordinal);

        var down = evaluator.Evaluate(Outside(30081), network.IsLocal, network.EgressInterface).Decision;
        Assert.Equal((FirewallVerdict.Reject, "kube-proxy", "reject-chain"), (down.Verdict, down.Table, down.Chain));

        // The dispatch rules as compiled: verdict maps on the concatenations kube-proxy keys them by, fib and ct state.
        var table = FirewallFixture.Ruleset(fixture).Ruleset.Tables.Single(t => t.Name == "kube-proxy");
        var services = table.Chains["services"].Rules;
        Assert.Equal([PacketField.DestinationAddress, PacketField.L4Protocol, PacketField.DestinationPort], services[0].Action.Map!.Keys);
        Assert.Equal([PacketField.L4Protocol, PacketField.DestinationPort], services[1].Action.Map!.Keys);
        Assert.StartsWith("fib daddr type local ip daddr != 127.0.0.0/8", services[1].Text, StringComparison.Ordinal);
        Assert.Equal((2, 1), (services[0].Action.Map!.Entries.Count, services[1].Action.Map!.Entries.Count));
        var choice = Assert.Single(table.Chains["service-SUSTUHLJ-default/web/tcp/http"].Rules, r => r.Action.Kind == RuleActionKind.VerdictMap).Action.Map!;
        Assert.Equal([PacketField.RandomNumber], choice.Keys);
        Assert.True(RandomChoice.CoversEveryDraw(choice));
        Assert.All(table.Chains.Values.SelectMany(c => c.Rules), r => Assert.Null(r.UnknownReason));

        // A ClusterIP service from the node: one endpoint (numgen mod 1), no choice to make.
        var api = evaluator.Evaluate(new SimulatedConnection(ConnectionOrigin.Inside, IPAddress.Parse("10.77.0.1"), IPAddress.Parse("10.96.0.20"), "lo", TransportProtocol.Tcp, 80), network.IsLocal, network.EgressInterface);
        Assert.Contains("10.244.1.6:8080", api.Redirect, StringComparison.Ordinal);
    }

    private static IPEndPoint Endpoint(string text) => IPEndPoint.Parse(text);

    [Fact]
    public void A_connection_delivered_locally_keeps_no_forward_destination()
    {
        var redirected = Fixture("nat-redirect-dnat").Evaluate(Outside(8081), FirewallFixture.ServerNetwork.IsLocal, FirewallFixture.Network("nat-redirect-dnat").EgressInterface).Decision;
        Assert.Equal("prerouting -> dnat 10.77.0.1:9091 -> input -> accept", redirected.Path);
        Assert.Null(redirected.ForwardedTo);
        Assert.Null(Fixture("counters").Evaluate(Outside(8080), FirewallFixture.ServerNetwork.IsLocal).Decision.Path);
    }
}

