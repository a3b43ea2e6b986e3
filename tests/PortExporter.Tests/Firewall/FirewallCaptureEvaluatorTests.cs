using System.Net;
using PortExporter.Firewall.Evaluation;

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
        Assert.Equal(new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.Nftables, "filter", "INPUT", "handle 2: tcp dport 8080 drop"), iptables.Decision);
        Assert.True(iptables.DroppedPackets >= 3);
        var nft = evaluator.Evaluate(Outside(8081), FirewallFixture.ServerNetwork.IsLocal);
        Assert.Equal(("app", "input", "handle 2: tcp dport 8081 drop"), (nft.Decision.Table, nft.Decision.Chain, nft.Decision.Rule));
        Assert.True(nft.DroppedPackets >= 3);
    }

    [Fact]
    public void A_policy_drop_is_named_as_such()
    {
        var decision = Fixture("iptables-policy-drop-established").Evaluate(Outside(8080), FirewallFixture.ServerNetwork.IsLocal);
        Assert.Equal(new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.IptablesNft, "filter", "INPUT", "policy drop"), decision.Decision);
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
        Assert.Equal(new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.IptablesNft, "filter", "INPUT", "policy drop"), denied);
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

    [Fact]
    public void A_connection_delivered_locally_keeps_no_forward_destination()
    {
        var redirected = Fixture("nat-redirect-dnat").Evaluate(Outside(8081), FirewallFixture.ServerNetwork.IsLocal, FirewallFixture.Network("nat-redirect-dnat").EgressInterface).Decision;
        Assert.Equal("prerouting -> dnat 10.77.0.1:9091 -> input -> accept", redirected.Path);
        Assert.Null(redirected.ForwardedTo);
        Assert.Null(Fixture("counters").Evaluate(Outside(8080), FirewallFixture.ServerNetwork.IsLocal).Decision.Path);
    }
}

