using System.Net;
using PortExporter.Core;
using PortExporter.Core.Backend;
using PortExporter.Core.Collection;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Diagnosis.Rules;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Backend;

/// <summary>The diagnosis of a port whose connections a DNAT forwards to a backend: its listener decides, missing evidence never blames it.</summary>
public sealed class BackendRuleTests
{
    private static readonly BackendTarget Target = new(IPAddress.Parse("172.31.0.2"), 80, TransportProtocol.Tcp);

    private static readonly BackendNamespace Container = new(4026532524, "net:[4026532524]", new ProcessInfo(4242, "nginx", "nginx"));

    private static FirewallDecision Forwarded { get; } = Accept with
    {
        Table = "filter",
        Chain = "FORWARD",
        Rule = "rule 2: -A FORWARD -o docker0 -j ACCEPT",
        Path = "prerouting -> dnat 172.31.0.2:80 -> forward out docker0 -> accept",
        ForwardedTo = new IPEndPoint(Target.Address, Target.Port),
    };

    private static EvidenceSnapshot With(params BackendResult[] backends) =>
        Healthy() with { Firewall = FirewallOf(Forwarded), Backends = new BackendEvidence(backends, 10, 2) };

    [Fact]
    public void A_listening_backend_is_ok_and_named_with_its_process()
    {
        var listener = new Listener(TransportProtocol.Tcp, IPAddress.Any, 80, 77);
        var evidence = With(new BackendResult(Target, BackendStatus.Listening, Container, [listener]) { Owners = new Dictionary<ulong, ProcessInfo> { [77] = new(4243, "nginx", "nginx") } });

        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);

        Assert.Equal(Cause.Ok, diagnosis.Cause);
        var step = Assert.Single(diagnosis.Steps, s => s.Check == "backend listening");
        Assert.Equal(StepStatus.Pass, step.Status);
        Assert.Contains("backend 172.31.0.2:80 listening in net:[4026532524] of nginx pid 4242: 0.0.0.0:80 (nginx pid 4243)", step.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_published_port_needs_no_host_listener_when_the_backend_listens()
    {
        var listener = new Listener(TransportProtocol.Tcp, IPAddress.Any, 80, 77);
        var evidence = With(new BackendResult(Target, BackendStatus.Listening, Container, [listener])) with { Sockets = SocketsOf() };

        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);

        Assert.True(diagnosis.Cause == Cause.Ok, diagnosis.Summary);
        Assert.Contains(diagnosis.Steps, s => s.Check == "listening" && s.Observed.EndsWith("the DNAT sends outside connections to 172.31.0.2:80", StringComparison.Ordinal));
    }

    [Fact]
    public void A_published_port_whose_backend_does_not_listen_is_not_listening_on_the_backend()
    {
        var evidence = With(new BackendResult(Target, BackendStatus.NotListening, Container, [], "bound on 127.0.0.1:80 only, not on 172.31.0.2:80"));

        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);

        Assert.Equal(Cause.NotListening, diagnosis.Cause);
        Assert.Contains("the DNAT sends it to the backend 172.31.0.2:80, where nothing listens (in net:[4026532524] of nginx pid 4242)", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("bound on 127.0.0.1:80 only", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("172.31.0.2:80", diagnosis.Fix, StringComparison.Ordinal);
        Assert.Contains("nginx pid 4242", diagnosis.Fix, StringComparison.Ordinal);
        var step = Assert.Single(diagnosis.Steps, s => s.Check == "backend listening");
        Assert.Equal("nsenter -t 4242 -n ss -tlnp 'sport = :80'", step.Command);
    }

    public static TheoryData<string, BackendStatus> MissingStatuses => new()
    {
        { "no namespace owns the address", BackendStatus.NamespaceNotFound },
        { "namespaces could not be read", BackendStatus.Unreadable },
    };

    [Theory]
    [MemberData(nameof(MissingStatuses))]
    public void A_backend_not_found_or_not_read_is_missing_evidence_never_a_cause(string scenario, BackendStatus status)
    {
        var evidence = With(new BackendResult(Target, status, null, [], scenario));

        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);

        Assert.Equal(Cause.Unknown, diagnosis.Cause);
        Assert.DoesNotContain(Cause.NotListening, diagnosis.Findings);
        Assert.Contains(diagnosis.Missing, m => m.StartsWith("backend listening: the backend 172.31.0.2:80: " + status.ToLabel(), StringComparison.Ordinal) && m.Contains(scenario, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_backend_evidence_a_forwarded_port_says_why_it_is_missing()
    {
        var evidence = Healthy() with { Firewall = FirewallOf(Forwarded) };

        var outcome = new BackendNotListeningRule().Evaluate(WebPort, evidence);

        Assert.True(outcome.IsMissing);
        Assert.Contains("backend evidence not collected", outcome.Step.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_delivered_locally_has_no_backend_to_check()
    {
        var outcome = new BackendNotListeningRule().Evaluate(WebPort, Healthy());

        Assert.Equal(StepStatus.Pass, outcome.Step.Status);
        Assert.Equal("no DNAT or userland proxy sends the port to another address", outcome.Step.Observed);
    }

    [Fact]
    public void The_targets_are_the_distinct_translated_destinations_of_every_source()
    {
        var targets = BackendCollector.TargetsOf(FirewallOf(Forwarded, Forwarded));

        Assert.Equal([Target], targets);
        Assert.Empty(BackendCollector.TargetsOf(FirewallOf(Accept)));
        Assert.Empty(BackendCollector.TargetsOf(null));
    }

    [Fact]
    public void A_redirect_to_a_port_of_this_host_where_nothing_listens_is_not_listening_there()
    {
        // iptables -t nat -A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 9090, and nothing on 9090.
        var here = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 9090);
        var redirected = Accept with { Path = "prerouting -> redirect :9090 -> input -> accept", DeliveredTo = here };
        var host = new BackendNamespace(4026531840, "net:[4026531840]", new ProcessInfo(1, "init", "init"));
        var target = new BackendTarget(here.Address, here.Port, TransportProtocol.Tcp);
        var evidence = Healthy() with { Firewall = FirewallOf(redirected), Backends = new BackendEvidence([new BackendResult(target, BackendStatus.NotListening, host, [])], 10, 1) };

        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);

        Assert.Equal(Cause.NotListening, diagnosis.Cause);
        Assert.Contains("sends it to 192.0.2.10:9090 on this host, where nothing listens", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("port 9090", diagnosis.Fix, StringComparison.Ordinal);
        Assert.Equal([target], BackendCollector.TargetsOf(evidence.Firewall));

        // Nothing on 8080 itself is no finding when the redirect's port is served.
        var served = evidence with
        {
            Sockets = SocketsOf(),
            Backends = new BackendEvidence([new BackendResult(target, BackendStatus.Listening, host, [new Listener(TransportProtocol.Tcp, IPAddress.Any, 9090, 5)])], 10, 1),
        };
        Assert.Equal(Cause.Ok, Diagnoser.Diagnose(WebPort, served).Cause);
    }

    /// <summary>The configured process runs in no process of this namespace, only elsewhere (as in a container), and nothing listens on the host.</summary>
    private static EvidenceSnapshot PublishedWithoutProxy(BackendResult backend, bool runsElsewhere = true) =>
        With(backend) with
        {
            Sockets = SocketsOf(),
            Processes = ProcessesOf(running: false) with { RunningElsewhere = runsElsewhere ? new HashSet<string> { "nginx" } : new HashSet<string>() },
        };

    private static BackendResult ServedByNginx() =>
        new(Target, BackendStatus.Listening, Container, [new Listener(TransportProtocol.Tcp, IPAddress.Any, 80, 77)]) { Owners = new Dictionary<ulong, ProcessInfo> { [77] = new(4243, "nginx", "nginx") } };

    [Fact]
    public void A_service_that_listens_behind_the_dnat_in_its_container_is_not_down()
    {
        // Docker without its userland proxy, a pod's hostPort: no listener and no nginx in the host's namespace.
        var diagnosis = Diagnoser.Diagnose(WebPort, PublishedWithoutProxy(ServedByNginx()));

        Assert.True(diagnosis.Cause == Cause.Ok, diagnosis.Summary);
        var step = Assert.Single(diagnosis.Steps, s => s.Check == "process");
        Assert.Equal("nginx runs in another network namespace: the DNAT sends 8080/tcp to 172.31.0.2:80, where nginx pid 4243 listens (in net:[4026532524] of nginx pid 4242)", step.Observed);
    }

    [Fact]
    public void A_service_in_the_backends_namespace_that_does_not_listen_there_is_not_listening_not_down()
    {
        var backend = new BackendResult(Target, BackendStatus.NotListening, Container, [], "bound on 127.0.0.1:80 only, not on 172.31.0.2:80");

        var diagnosis = Diagnoser.Diagnose(WebPort, PublishedWithoutProxy(backend));

        Assert.Equal(Cause.NotListening, diagnosis.Cause);
        Assert.DoesNotContain(Cause.ProcessDown, diagnosis.Findings);
        Assert.Contains("bound on 127.0.0.1:80 only", diagnosis.Summary, StringComparison.Ordinal);
        Assert.EndsWith("in net:[4026532524] of nginx pid 4242 (what listens there: the backend check)", Assert.Single(diagnosis.Steps, s => s.Check == "process").Observed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, BackendStatus.NamespaceNotFound)]
    [InlineData(true, BackendStatus.Unreadable)]
    [InlineData(false, BackendStatus.Listening)]
    public void A_process_that_runs_nowhere_or_apart_from_any_backend_read_is_down(bool runsElsewhere, BackendStatus status)
    {
        var backend = status == BackendStatus.Listening ? ServedByNginx() : new BackendResult(Target, status, null, [], "not found");

        var diagnosis = Diagnoser.Diagnose(WebPort, PublishedWithoutProxy(backend, runsElsewhere));

        Assert.Equal(Cause.ProcessDown, diagnosis.Cause);
        Assert.Equal("no process named nginx is running", Assert.Single(diagnosis.Steps, s => s.Check == "process").Observed);
    }

    [Fact]
    public void A_local_probe_the_host_refuses_is_no_failure_of_a_port_only_a_dnat_publishes()
    {
        // Docker without a userland proxy DNATs IPv4 only: the host's own connection to its IPv6 address is refused.
        var v6 = new ProbeResult("internal", "[2001:db8::10]:8080", false, ProbeFailureReason.Refused, TimeSpan.FromMilliseconds(1));
        var evidence = PublishedWithoutProxy(ServedByNginx()) with { Probes = ProbesOf(Probe("loopback", true), Probe("internal", true), v6) };

        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);

        Assert.True(diagnosis.Cause == Cause.Ok, diagnosis.Summary);
        Assert.EndsWith("([2001:db8::10]:8080 refused: the host's own connections there are not translated by the DNAT that publishes the port)", Assert.Single(diagnosis.Steps, s => s.Check == "probes").Observed, StringComparison.Ordinal);

        // A timeout is no refusal: something drops the host's own connection.
        var dropped = evidence with { Probes = ProbesOf(Probe("loopback", true), v6 with { Reason = ProbeFailureReason.Timeout }) };
        Assert.Equal(Cause.Unknown, Diagnoser.Diagnose(WebPort, dropped).Cause);

        // With a listener of its own on the host, a refusal is a failure as before.
        var listened = evidence with { Sockets = SocketsOf(Listening("0.0.0.0")), Processes = ProcessesOf() };
        Assert.Equal(Cause.Unknown, Diagnoser.Diagnose(WebPort, listened).Cause);
    }

    [Fact]
    public void A_backend_on_another_host_is_that_hosts_to_check_and_one_on_a_container_network_here_is_missing()
    {
        // NetworkOf(): eth0 192.0.2.10 (default route), eth1 10.0.0.5. Every namespace was read; none owns the address.
        var network = NetworkOf() with
        {
            Interfaces = [.. NetworkOf().Interfaces.Select(i => i.Name == "eth1" ? i with { Subnets = [IPNetwork.Parse("10.0.0.0/24")] } : i),
                new PortExporter.Core.Network.HostInterface("docker0", [IPAddress.Parse("172.31.0.1")]) { Subnets = [IPNetwork.Parse("172.31.0.0/24")], Plumbing = "a bridge whose ports are all veth/tap (veth1)" }],
            Routes = [new PortExporter.Core.Network.HostRoute(IPNetwork.Parse("0.0.0.0/0"), "eth0", 0)],
        };
        BackendResult NotFound(string address) => new(new BackendTarget(IPAddress.Parse(address), 80, TransportProtocol.Tcp), BackendStatus.NamespaceNotFound, null, [], "none owns it") { EveryNamespaceRead = true };
        EvidenceSnapshot Forwarding(BackendResult backend) => Healthy() with
        {
            Network = network,
            Firewall = FirewallOf(Forwarded with { ForwardedTo = new IPEndPoint(backend.Target.Address, 80) }),
            Backends = new BackendEvidence([backend], 10, 2),
        };

        // A pod on another node (routed), a server on the LAN behind a port forward: not this host's to check.
        var routed = new BackendNotListeningRule().Evaluate(WebPort, Forwarding(NotFound("10.244.1.5")));
        Assert.Equal(StepStatus.Pass, routed.Step.Status);
        Assert.Equal("backend 10.244.1.5:80 on another host (routed out of eth0): its listener is that host's to check", routed.Step.Observed);
        var lan = new BackendNotListeningRule().Evaluate(WebPort, Forwarding(NotFound("10.0.0.50")));
        Assert.Equal("backend 10.0.0.50:80 on another host (on the network of eth1): its listener is that host's to check", lan.Step.Observed);

        // A container network of this host: the container that owned the address is gone, or hidden; not known.
        Assert.True(new BackendNotListeningRule().Evaluate(WebPort, Forwarding(NotFound("172.31.0.9"))).IsMissing);
        // A search cut short or a namespace not read: not known either.
        Assert.True(new BackendNotListeningRule().Evaluate(WebPort, Forwarding(NotFound("10.244.1.5") with { EveryNamespaceRead = false })).IsMissing);
    }
}
