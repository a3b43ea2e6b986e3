using System.Net;
using PortExporter.Core.Configuration;
using PortExporter.Core.Network;
using PortExporter.Core.Collection;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Firewall;
using PortExporter.Core.Probes;
using PortExporter.Core.Sockets;
using PortExporter.Firewall;
using PortExporter.Firewall.Model;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Diagnosis;

public sealed class DiagnoserTests
{
    public static TheoryData<string, Func<EvidenceSnapshot>, Cause> Cases => new()
    {
        { "healthy", Healthy, Cause.Ok },
        { "process not running", () => Healthy() with { Processes = ProcessesOf(running: false), Sockets = SocketsOf() }, Cause.ProcessDown },
        { "process not running, its socket held by systemd (socket activation)", () => Healthy() with { Processes = ActivatedBySystemd() }, Cause.Ok },
        { "process not running, one of its two listeners not held by systemd", () => Healthy() with { Processes = ActivatedBySystemd() with { OwnersByInode = new Dictionary<ulong, PortExporter.Core.Processes.ProcessInfo> { [100] = new(1, "systemd", "systemd"), [101] = new(4343, "socat", "socat") } }, Sockets = SocketsOf(Listening("0.0.0.0"), Listening("::", 101)) }, Cause.ProcessDown },
        { "nothing listens", () => Healthy() with { Sockets = SocketsOf() }, Cause.NotListening },
        { "accept queue full, local probes time out", () => Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0") with { AcceptQueue = new(3, 2) }), Probes = ProbesOf(Probe("loopback", false, ProbeFailureReason.Timeout), Probe("internal", false, ProbeFailureReason.Timeout)) }, Cause.NotAccepting },
        { "accept queue full, no probe evidence", () => Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0") with { AcceptQueue = new(3, 2) }), Probes = null }, Cause.NotAccepting },
        { "accept queue full for a moment, local probes connect", () => Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0") with { AcceptQueue = new(129, 128) }) }, Cause.Ok },
        { "one of two SO_REUSEPORT listeners full, local probes connect (to the other)", () => Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0", 100) with { AcceptQueue = new(3, 2) }, Listening("0.0.0.0", 101) with { AcceptQueue = new(0, 2) }) }, Cause.NotAccepting },
        { "both SO_REUSEPORT listeners full for a moment, local probes connect", () => Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0", 100) with { AcceptQueue = new(3, 2) }, Listening("0.0.0.0", 101) with { AcceptQueue = new(3, 2) }) }, Cause.Ok },
        { "a full listener on 0.0.0.0 beside one on [::] that is not, local probes connect", () => Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0", 100) with { AcceptQueue = new(3, 2) }, Listening("::", 101) with { AcceptQueue = new(0, 2) }) }, Cause.Ok },
        { "listens on 127.0.0.1", () => Healthy() with { Sockets = SocketsOf(Listening("127.0.0.1")) }, Cause.LoopbackOnly },
        { "listens on ::1 and 127.0.0.1", () => Healthy() with { Sockets = SocketsOf(Listening("127.0.0.1"), Listening("::1", 101)) }, Cause.LoopbackOnly },
        { "listens on the internal address only", () => Healthy() with { Sockets = SocketsOf(Listening("10.0.0.5")) }, Cause.WrongAddress },
        { "listens on the bind address", () => Healthy() with { Sockets = SocketsOf(Listening("192.0.2.10")) }, Cause.Ok },
        { "v6-only wildcard does not serve an IPv4 bind address", () => Healthy() with { Sockets = SocketsOf(Listening("::", v6Only: true)) }, Cause.WrongAddress },
        { "dual-stack wildcard serves IPv4", () => Healthy() with { Sockets = SocketsOf(Listening("::", v6Only: false)) }, Cause.Ok },
        { "wildcard bound to the internal interface (SO_BINDTODEVICE)", () => Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0") with { Device = "eth1" }) }, Cause.WrongAddress },
        { "wildcard bound to the outside interface", () => Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0") with { Device = "eth0" }) }, Cause.Ok },
        { "firewall drops outside", () => Healthy() with { Firewall = FirewallOf(DropRule) }, Cause.FirewallBlocked },
        { "firewall rejects outside", () => Healthy() with { Firewall = FirewallOf(DropRule with { Verdict = FirewallVerdict.Reject }) }, Cause.FirewallBlocked },
        { "selinux denies", () => Healthy() with { Selinux = SelinuxDenying() }, Cause.SelinuxDenied },
        { "external probe times out", () => Healthy() with { Probes = ProbesOf(Probe("loopback", true), Probe("internal", true), Probe("external", false, ProbeFailureReason.Timeout)) }, Cause.NatOrUpstream },
        { "remote vantage refused", () => Healthy() with { Probes = ProbesWithVantagesOf(new() { ["outside"] = true }, Probe("loopback", true), Probe("outside", false, ProbeFailureReason.Refused)) }, Cause.NatOrUpstream },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Names_the_cause_the_case_would(string scenario, Func<EvidenceSnapshot> evidence, Cause expected)
    {
        var diagnosis = Diagnoser.Diagnose(WebPort, evidence());
        Assert.True(expected == diagnosis.Cause, $"{scenario}: expected {expected}, got {diagnosis.Cause}: {diagnosis.Summary}");
        Assert.NotEmpty(diagnosis.Summary);
        if (expected != Cause.Ok)
        {
            Assert.NotNull(diagnosis.Fix);
            Assert.Equal(expected, diagnosis.Findings[0]);
        }
    }

    [Theory]
    [InlineData("inactive", Cause.Ok)]
    [InlineData("failed", Cause.ProcessDown)]
    public void A_unit_whose_socket_systemd_holds_is_down_only_when_it_failed(string unitState, Cause expected)
    {
        var port = WebPort with { Process = null, Unit = "nginx.service" };
        var diagnosis = Diagnoser.Diagnose(port, Healthy() with { Processes = ActivatedBySystemd(unitState) });
        Assert.Equal(expected, diagnosis.Cause);
        var process = Assert.Single(diagnosis.Steps, s => s.Check == "process");
        Assert.Contains(unitState == "inactive" ? "systemd pid 1 holds the port and starts it on a connection" : "nginx.service is failed", process.Observed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("docker-proxy", "127.0.0.1", Cause.LoopbackOnly, "Docker publishes the port on 127.0.0.1 only (docker-proxy holds it): publish it as -p 192.0.2.10:8080:CONTAINER_PORT instead of -p 127.0.0.1:8080:CONTAINER_PORT (docker run; compose: ports: [\"192.0.2.10:8080:CONTAINER_PORT\"]), then recreate the container.")]
    [InlineData("conmon", "10.0.0.5", Cause.WrongAddress, "Podman publishes the port on 10.0.0.5 only (conmon holds it): publish it as -p 192.0.2.10:8080:CONTAINER_PORT instead of -p 10.0.0.5:8080:CONTAINER_PORT (podman run; compose: ports: [\"192.0.2.10:8080:CONTAINER_PORT\"]), then recreate the container.")]
    [InlineData("nginx", "127.0.0.1", Cause.LoopbackOnly, "Change the service's bind/listen address from 127.0.0.1 to 192.0.2.10 and restart it.")]
    public void A_container_port_published_on_the_wrong_address_is_fixed_where_it_was_published(string owner, string address, Cause cause, string fix)
    {
        var processes = ProcessesOf() with { OwnersByInode = new Dictionary<ulong, PortExporter.Core.Processes.ProcessInfo> { [100] = new(4242, owner, owner) } };
        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Sockets = SocketsOf(Listening(address)), Processes = processes });
        Assert.Equal(cause, diagnosis.Cause);
        Assert.Equal(fix, diagnosis.Fix);
    }

    [Theory]
    [InlineData("docker-proxy", true, Cause.Ok, "nginx runs in another network namespace, where Docker runs it in a container: docker-proxy pid 4242 publishes the port")]
    [InlineData("rootlessport", true, Cause.Ok, "nginx runs in another network namespace, where Podman runs it in a container: rootlessport pid 4242 publishes the port")]
    [InlineData("pasta.avx2", true, Cause.Ok, "nginx runs in another network namespace, where Podman runs it in a container: pasta.avx2 pid 4242 publishes the port")]
    [InlineData("docker-proxy", false, Cause.ProcessDown, "no process named nginx is running")]
    [InlineData("socat", true, Cause.ProcessDown, "no process named nginx is running; socat pid 4242 holds 8080/tcp")]
    [InlineData("socat", false, Cause.ProcessDown, "no process named nginx is running; socat pid 4242 holds 8080/tcp")]
    public void A_process_that_is_not_beside_the_port_is_a_containers_or_has_lost_its_port(string holder, bool runsElsewhere, Cause cause, string observed)
    {
        // The configured process runs in no process of this network namespace; the port's listener is held by a
        // container engine's publisher (its service runs in the container's namespace) or by another program.
        var processes = ProcessesOf(running: false) with
        {
            OwnersByInode = new Dictionary<ulong, PortExporter.Core.Processes.ProcessInfo> { [100] = new(4242, holder, holder) },
            RunningElsewhere = runsElsewhere ? new HashSet<string> { "nginx" } : new HashSet<string>(),
        };

        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0")), Processes = processes });

        Assert.Equal(cause, diagnosis.Cause);
        Assert.Equal(observed, Assert.Single(diagnosis.Steps, s => s.Check == "process").Observed);
        if (holder == "socat")
        {
            Assert.Contains("socat pid 4242 holds 8080/tcp, so nginx cannot bind it", diagnosis.Summary, StringComparison.Ordinal);
            Assert.StartsWith("Find out why socat pid 4242 holds 8080/tcp", diagnosis.Fix, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Outside_failures_of_a_host_that_routes_the_replies_out_of_another_interface_name_the_asymmetric_routing()
    {
        // The service's address is on eth1 (a second uplink); the kernel routes its replies out of eth0.
        var way = new PortExporter.Firewall.Evaluation.SimulatedConnection(PortExporter.Firewall.Evaluation.ConnectionOrigin.Outside, IPAddress.Parse("203.0.113.1"), IPAddress.Parse("192.0.2.10"), "eth1", TransportProtocol.Tcp, 8080);
        var firewall = FirewallOf(Accept) with { Ports = new Dictionary<PortExporter.Core.PortKey, FirewallPortResult> { [WebPort.Key] = new(Accept, Accept, OutsideConnection: way) { ReplyInterface = "eth0" } } };
        var failing = Healthy() with { Firewall = firewall, Probes = ProbesWithVantagesOf(new() { ["outside"] = true }, Probe("loopback", true), Probe("outside", false, ProbeFailureReason.Timeout)) };

        var diagnosis = Diagnoser.Diagnose(WebPort, failing);

        Assert.Equal(Cause.NatOrUpstream, diagnosis.Cause);
        Assert.Contains("this host routes them out of eth0, not eth1 where the connections to 192.0.2.10 come in (ip route get 203.0.113.1 from 192.0.2.10: asymmetric routing)", diagnosis.Summary, StringComparison.Ordinal);
        Assert.StartsWith("Route the replies back the way the connections came (policy routing: ip rule add from 192.0.2.10", diagnosis.Fix, StringComparison.Ordinal);
        Assert.StartsWith("ip route get 203.0.113.1 from 192.0.2.10; ip rule; ", Assert.Single(diagnosis.Steps, s => s.Check == "probes").Command, StringComparison.Ordinal);

        // Replies that leave the way the connections came: the upstream device as before.
        var symmetric = failing with { Firewall = FirewallOf(Accept) };
        Assert.EndsWith("the NAT / port mapping or an upstream device does not forward it.", Diagnoser.Diagnose(WebPort, symmetric).Summary, StringComparison.Ordinal);
        // Outside served: asymmetric routing that works is no finding.
        Assert.Equal(Cause.Ok, Diagnoser.Diagnose(WebPort, Healthy() with { Firewall = firewall }).Cause);
    }

    [Fact]
    public void A_process_not_seen_while_a_listener_of_unknown_process_holds_the_port_is_missing_evidence_not_down()
    {
        // The exporter in a PID namespace of its own (a container without --pid=host): the service's listener is there,
        // its process is not among those the exporter sees.
        var hidden = Healthy() with { Processes = ProcessesOf(running: false) with { OwnersByInode = new Dictionary<ulong, PortExporter.Core.Processes.ProcessInfo>() } };

        var diagnosis = Diagnoser.Diagnose(WebPort, hidden);

        Assert.Equal(Cause.Unknown, diagnosis.Cause);
        Assert.DoesNotContain(Cause.ProcessDown, diagnosis.Findings);
        Assert.Contains(diagnosis.Missing, m => m.StartsWith("process: no process named nginx is visible, but 0.0.0.0:8080 listens and its process is not among those the exporter sees", StringComparison.Ordinal) && m.Contains("--pid=host", StringComparison.Ordinal));

        // No listener at all: down, whatever the exporter sees.
        Assert.Equal(Cause.ProcessDown, Diagnoser.Diagnose(WebPort, hidden with { Sockets = SocketsOf() }).Cause);
    }

    public static TheoryData<string, Func<EvidenceSnapshot>, Cause, Cause> Overlaps => new()
    {
        { "firewall blocks and selinux denies", () => Healthy() with { Firewall = FirewallOf(DropRule), Selinux = SelinuxDenying() }, Cause.FirewallBlocked, Cause.SelinuxDenied },
        { "loopback bind and firewall", () => Healthy() with { Sockets = SocketsOf(Listening("127.0.0.1")), Firewall = FirewallOf(DropRule) }, Cause.LoopbackOnly, Cause.FirewallBlocked },
        { "process down and firewall", () => Healthy() with { Processes = ProcessesOf(running: false), Sockets = SocketsOf(), Firewall = FirewallOf(DropRule) }, Cause.ProcessDown, Cause.NotListening },
        { "wrong address and selinux", () => Healthy() with { Sockets = SocketsOf(Listening("10.0.0.5")), Selinux = SelinuxDenying() }, Cause.WrongAddress, Cause.SelinuxDenied },
    };

    [Theory]
    [MemberData(nameof(Overlaps))]
    public void Reports_the_first_cause_and_keeps_the_others_as_findings(string scenario, Func<EvidenceSnapshot> evidence, Cause first, Cause alsoHolds)
    {
        var diagnosis = Diagnoser.Diagnose(WebPort, evidence());
        Assert.True(first == diagnosis.Cause, $"{scenario}: expected {first}, got {diagnosis.Cause}");
        Assert.Contains(alsoHolds, diagnosis.Findings);
    }

    public static TheoryData<string, Func<EvidenceSnapshot>, string> MissingEvidence => new()
    {
        { "socket collector failed", () => Healthy() with { Sockets = null }, "listening" },
        { "firewall collector failed", () => Healthy() with { Firewall = null }, "firewall" },
        { "firewall verdict unknown", () => Healthy() with { Firewall = FirewallOf(DropRule with { Verdict = FirewallVerdict.Unknown }) }, "firewall" },
        { "selinux collector failed", () => Healthy() with { Selinux = null }, "selinux" },
        { "probe collector failed", () => Healthy() with { Probes = null }, "probes" },
        { "remote vantage down", () => Healthy() with { Config = Config with { Vantages = [new("outside", new Uri("http://203.0.113.5:10070"))] }, Probes = ProbesWithVantagesOf(new() { ["outside"] = false }, Probe("loopback", true)) }, "probes" },
        { "local probe fails although checks pass", () => Healthy() with { Probes = ProbesOf(Probe("loopback", false, ProbeFailureReason.Timeout)) }, "probes" },
    };

    [Theory]
    [MemberData(nameof(MissingEvidence))]
    public void Missing_evidence_is_unknown_never_ok(string scenario, Func<EvidenceSnapshot> evidence, string missingCheck)
    {
        var diagnosis = Diagnoser.Diagnose(WebPort, evidence());
        Assert.True(diagnosis.Cause == Cause.Unknown, $"{scenario}: expected unknown, got {diagnosis.Cause}");
        Assert.Contains(diagnosis.Missing, m => m.StartsWith(missingCheck, StringComparison.Ordinal));
    }

    [Fact]
    public void A_failing_outside_probe_is_not_blamed_on_NAT_when_the_firewall_could_not_be_read()
    {
        var evidence = Healthy() with { Firewall = null, Probes = ProbesOf(Probe("loopback", true), Probe("external", false, ProbeFailureReason.Timeout)) };
        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);
        Assert.Equal(Cause.Unknown, diagnosis.Cause);
        Assert.DoesNotContain(Cause.NatOrUpstream, diagnosis.Findings);
    }

    [Fact]
    public void A_down_vantage_never_blames_the_firewall_or_NAT()
    {
        var evidence = Healthy() with { Probes = ProbesWithVantagesOf(new() { ["outside"] = false }, Probe("loopback", true), Probe("outside", false, ProbeFailureReason.Timeout)) };
        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);
        Assert.Equal(Cause.Ok, diagnosis.Cause);
    }

    [Fact]
    public void A_failing_outside_probe_explained_by_the_firewall_is_no_NAT_finding()
    {
        var evidence = Healthy() with { Firewall = FirewallOf(DropRule), Probes = ProbesOf(Probe("loopback", true), Probe("external", false, ProbeFailureReason.Timeout)) };
        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);
        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.DoesNotContain(Cause.NatOrUpstream, diagnosis.Findings);
        Assert.Contains(diagnosis.Steps, s => s.Observed.Contains("explained by firewall_blocked", StringComparison.Ordinal));
    }

    [Fact]
    public void A_published_port_dropped_on_the_forward_path_names_the_rule_the_path_and_the_fix_for_the_translated_destination()
    {
        var drop = new FirewallDecision(FirewallVerdict.Drop, FirewallBackends.IptablesNft, "filter", "DOCKER-USER", "rule 1: -A DOCKER-USER -p tcp -m tcp --dport 81 -j DROP")
        {
            Path = "prerouting -> dnat 172.31.0.2:81 -> forward out docker0 -> drop",
            ForwardedTo = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("172.31.0.2"), 81),
        };
        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Firewall = FirewallOf(drop) });
        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains("chain DOCKER-USER: rule 1: -A DOCKER-USER -p tcp -m tcp --dport 81 -j DROP (path: prerouting -> dnat 172.31.0.2:81 -> forward out docker0 -> drop)", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Steps, s => s.Check == "firewall" && s.Observed.Contains("(path: prerouting -> dnat 172.31.0.2:81 -> forward out docker0 -> drop)", StringComparison.Ordinal));
        Assert.Contains("iptables -I DOCKER-USER -d 172.31.0.2 -p tcp --dport 81 -j ACCEPT", diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_local_probe_explained_by_a_loopback_bind_is_not_missing_evidence()
    {
        var evidence = Healthy() with { Sockets = SocketsOf(Listening("127.0.0.1")), Probes = ProbesOf(Probe("loopback", true), Probe("internal", false, ProbeFailureReason.Refused)) };
        var diagnosis = Diagnoser.Diagnose(WebPort, evidence);
        Assert.Equal(Cause.LoopbackOnly, diagnosis.Cause);
        Assert.Empty(diagnosis.Missing);
        Assert.Contains(diagnosis.Steps, s => s.Check == "probes" && s.Status == StepStatus.Skipped && s.Observed.Contains("explained by loopback_only", StringComparison.Ordinal));
    }

    [Fact]
    public void An_IPv6_only_wildcard_is_called_so_in_the_summary()
    {
        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Sockets = SocketsOf(Listening("::", v6Only: true)) });
        Assert.Equal(Cause.WrongAddress, diagnosis.Cause);
        Assert.Contains("[::]:8080 (wildcard, IPv6 only", diagnosis.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0", null, "2001:db8::10", "[::] (dual-stack")]
    [InlineData("::", true, "192.0.2.10", "Turn IPV6_V6ONLY off")]
    [InlineData("10.0.0.5", null, "192.0.2.10", "to 0.0.0.0")]
    public void The_fix_for_a_wrong_address_asks_for_the_family_outside_clients_use(string listening, bool? v6Only, string outside, string fix)
    {
        var port = WebPort with { Bind = null, External = [new HostPort(outside, 8080)] };
        var network = new HostNetwork(
            [new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("eth0", [IPAddress.Parse(outside)]), new HostInterface("eth1", [IPAddress.Parse("10.0.0.5")])],
            "eth0",
            null);

        var diagnosis = Diagnoser.Diagnose(port, Healthy() with { Ports = [port], Sockets = SocketsOf(Listening(listening, v6Only: v6Only)), Network = network });

        Assert.Equal(Cause.WrongAddress, diagnosis.Cause);
        Assert.Contains(fix, diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listener_bound_to_an_interface_outside_traffic_does_not_arrive_on_is_named_with_it_and_unbound_by_the_fix()
    {
        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Sockets = SocketsOf(Listening("0.0.0.0") with { Device = "eth1" }) });

        Assert.Equal(Cause.WrongAddress, diagnosis.Cause);
        Assert.Contains("0.0.0.0%eth1:8080 (wildcard, bound to interface eth1", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("no interface (or to eth0, where outside traffic arrives)", diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_IPv6_only_listener_on_a_host_outside_IPv4_clients_reach_is_a_wrong_address()
    {
        var port = WebPort with { Bind = null };
        var network = new HostNetwork(
            [new HostInterface("lo", [IPAddress.Loopback, IPAddress.IPv6Loopback]), new HostInterface("eth0", [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")])],
            "eth0",
            "eth0");
        EvidenceSnapshot With(Listener listener, PortSpec p) => Healthy() with { Ports = [p], Sockets = SocketsOf(listener), Network = network };

        var diagnosis = Diagnoser.Diagnose(port, With(Listening("::", v6Only: true), port));
        Assert.Equal(Cause.WrongAddress, diagnosis.Cause);
        Assert.Contains("outside clients reach it over IPv6 (2001:db8::10), but IPv4 clients, to 192.0.2.10, are refused", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("Turn IPV6_V6ONLY off", diagnosis.Fix, StringComparison.Ordinal);

        // Dual-stack, IPv4 only (IPv6 clients fall back to IPv4), or an IPv6 address the port's bind names: no finding.
        Assert.Equal(Cause.Ok, Diagnoser.Diagnose(port, With(Listening("::", v6Only: false), port)).Cause);
        Assert.Equal(Cause.Ok, Diagnoser.Diagnose(port, With(Listening("0.0.0.0"), port)).Cause);
        var bound = port with { Bind = IPAddress.Parse("2001:db8::10") };
        Assert.Equal(Cause.Ok, Diagnoser.Diagnose(bound, With(Listening("2001:db8::10"), bound)).Cause);

        // Auto-watch inferred the intent from this state: what it saw first is no finding.
        var inferred = port with { Origin = IntentOrigin.Inferred };
        Assert.Equal(Cause.Ok, Diagnoser.Diagnose(inferred, With(Listening("::", v6Only: true), inferred)).Cause);
    }

    [Fact]
    public void Firewall_diagnosis_names_the_deciding_rule_and_a_fix_for_the_backend_in_use()
    {
        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Firewall = FirewallOf(DropRule) });
        Assert.Contains("handle 7", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("open from inside", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("nft insert rule", diagnosis.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TableFamily.Netdev, "edge", "ingress", "nft insert rule netdev edge ingress tcp dport 8080 accept")]
    [InlineData(TableFamily.Ip6, "filter", "input", "nft insert rule ip6 filter input tcp dport 8080 accept")]
    [InlineData(null, "filter", "input", "nft insert rule <family> filter input tcp dport 8080 accept")]
    public void The_nft_fix_names_the_family_of_the_deciding_table(TableFamily? family, string table, string chain, string fix)
    {
        var drop = new PortExporter.Firewall.FirewallDecision(FirewallVerdict.Drop, "nftables", table, chain, "tcp dport 8080 drop # handle 3") { Family = family };

        var diagnosis = Diagnoser.Diagnose(WebPort, Healthy() with { Firewall = FirewallOf(drop) });

        Assert.Contains(fix, diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Selinux_diagnosis_says_which_permission_to_which_type_and_the_semanage_fix()
    {
        var port = WebPort with { SelinuxType = "http_port_t" };
        var diagnosis = Diagnoser.Diagnose(port, Healthy() with { Selinux = SelinuxDenying() });
        Assert.Contains("name_bind", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("httpd_t", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Equal("semanage port -a -t http_port_t -p tcp 8080 (or -m if the port already has a type); setenforce 0 only as a short test.", diagnosis.Fix);
    }

    [Fact]
    public void Every_cause_has_its_label_word()
    {
        Assert.Equal(
            ["ok", "process_down", "not_listening", "not_accepting", "loopback_only", "wrong_address", "firewall_blocked", "selinux_denied", "nat_or_upstream", "exposed", "unknown"],
            CauseNames.All.Select(c => c.ToLabel()));
    }
}
