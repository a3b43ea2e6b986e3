using System.Net;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Firewall;
using PortExporter.Core.Probes;
using PortExporter.Firewall;
using PortExporter.Firewall.Evaluation;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Intent;

public sealed class IntentDiagnosisTests
{
    private static readonly PortSpec Local = WebPort with { Bind = null, Expose = PortExpose.Local };
    private static readonly PortSpec Internal = WebPort with { Bind = null, Expose = PortExpose.Internal };
    private static readonly PortSpec Partner = WebPort with { Bind = null, From = [IPNetwork.Parse("198.51.100.0/24")] };

    private static EvidenceSnapshot For(PortSpec port, Func<EvidenceSnapshot, EvidenceSnapshot>? change = null)
    {
        var evidence = Healthy() with { Config = Config with { Ports = [port] }, Ports = [port] };
        return change is null ? evidence : change(evidence);
    }

    /// <summary>The outside default's verdict and the partner range's (simulated from 198.51.100.1 on eth0).</summary>
    private static FirewallEvidence FirewallFrom(FirewallDecision outside, FirewallDecision partner, FirewallDecision? inside = null) => new(
        ["nftables"],
        new Dictionary<PortKey, FirewallPortResult>
        {
            [WebPort.Key] = new(outside, inside ?? Accept)
            {
                OutsideConnection = Connection("203.0.113.1"),
                From = [new SourceVerdict("198.51.100.0/24", partner, Connection("198.51.100.1")) { Addresses = [IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.254")] }],
            },
        },
        DateTimeOffset.UnixEpoch);

    private static SimulatedConnection Connection(string source) =>
        new(ConnectionOrigin.Outside, IPAddress.Parse(source), IPAddress.Parse("192.0.2.10"), "eth0", TransportProtocol.Tcp, 8080);

    private static readonly PortSpec InternalFrom = Internal with { From = [IPNetwork.Parse("198.51.100.0/24")] };

    public static TheoryData<string, PortSpec, Func<EvidenceSnapshot, EvidenceSnapshot>, Cause> Cases => new()
    {
        { "local on 127.0.0.1: kept", Local, e => e with { Sockets = SocketsOf(Listening("127.0.0.1")) }, Cause.Ok },
        { "local on ::1 and 127.0.0.1: kept", Local, e => e with { Sockets = SocketsOf(Listening("127.0.0.1"), Listening("::1", 101)) }, Cause.Ok },
        { "local rebound to 0.0.0.0: exposed", Local, e => e with { Sockets = SocketsOf(Listening("0.0.0.0")) }, Cause.Exposed },
        { "local on an internal address: exposed", Local, e => e with { Sockets = SocketsOf(Listening("10.0.0.5")) }, Cause.Exposed },
        { "local, not listening: not_listening", Local, e => e with { Sockets = SocketsOf() }, Cause.NotListening },
        { "internal on its internal address: kept", Internal, e => e with { Sockets = SocketsOf(Listening("10.0.0.5")), Firewall = FirewallOf(Accept) }, Cause.Ok },
        { "internal on 0.0.0.0 behind a drop from outside: kept", Internal, e => e with { Firewall = FirewallOf(DropRule) }, Cause.Ok },
        { "internal on 0.0.0.0, firewall accepts outside: exposed", Internal, e => e with { Firewall = FirewallOf(Accept) }, Cause.Exposed },
        { "internal behind a drop but an outside probe connects: exposed", Internal, e => e with { Firewall = FirewallOf(DropRule), Probes = ProbesWithVantagesOf(new() { ["outside"] = true }, Probe("loopback", true), Probe("outside", true)) }, Cause.Exposed },
        { "internal on 0.0.0.0 bound to the internal interface, firewall accepts outside: kept", Internal, e => e with { Sockets = SocketsOf(Listening("0.0.0.0") with { Device = "eth1" }), Firewall = FirewallOf(Accept) }, Cause.Ok },
        { "internal on 0.0.0.0 bound to the outside interface, firewall accepts outside: exposed", Internal, e => e with { Sockets = SocketsOf(Listening("0.0.0.0") with { Device = "eth0" }), Firewall = FirewallOf(Accept) }, Cause.Exposed },
        { "local on 0.0.0.0 bound to lo: kept", Local, e => e with { Sockets = SocketsOf(Listening("0.0.0.0") with { Device = "lo" }) }, Cause.Ok },
        { "internal on loopback only: loopback_only", Internal, e => e with { Sockets = SocketsOf(Listening("127.0.0.1")) }, Cause.LoopbackOnly },
        { "internal, external probe fails: kept (no nat_or_upstream)", Internal, e => e with { Firewall = FirewallOf(DropRule), Probes = ProbesOf(Probe("loopback", true), Probe("external", false, ProbeFailureReason.Timeout)) }, Cause.Ok },
        { "public from a partner range, outside default blocked, partner accepted: kept", Partner, e => e with { Firewall = FirewallFrom(DropRule, Accept) }, Cause.Ok },
        { "public from a partner range, partner dropped: firewall_blocked", Partner, e => e with { Firewall = FirewallFrom(DropRule, DropRule) }, Cause.FirewallBlocked },
        { "public from a partner range, partner dropped though outside is open: firewall_blocked", Partner, e => e with { Firewall = FirewallFrom(Accept, DropRule) }, Cause.FirewallBlocked },
        { "public from a partner range, partner verdict unknown: unknown", Partner, e => e with { Firewall = FirewallFrom(Accept, Accept with { Verdict = FirewallVerdict.Unknown }) }, Cause.Unknown },
        { "internal on 0.0.0.0, inside blocked: firewall_blocked", Internal, e => e with { Firewall = FirewallOf(DropRule, DropRule) }, Cause.FirewallBlocked },
        { "internal from a range, outside dropped, range accepted, inside blocked: kept", InternalFrom, e => e with { Firewall = FirewallFrom(DropRule, Accept, DropRule) }, Cause.Ok },
        { "internal from a range, range dropped: firewall_blocked", InternalFrom, e => e with { Firewall = FirewallFrom(DropRule, DropRule) }, Cause.FirewallBlocked },
        { "public from a partner range, this host's own external probe blocked (not a from: source): kept", Partner, e => e with { Firewall = FirewallFrom(DropRule, Accept), Probes = ProbesOf(Probe("loopback", true), Probe("internal", true), Probe("external", false, ProbeFailureReason.Timeout)) }, Cause.Ok },
        { "public from a partner range, the remote vantage fails: nat_or_upstream", Partner, e => e with { Firewall = FirewallFrom(DropRule, Accept), Probes = ProbesWithVantagesOf(new() { ["outside"] = true }, Probe("loopback", true), Probe("external", false, ProbeFailureReason.Timeout), Probe("outside", false, ProbeFailureReason.Timeout)) }, Cause.NatOrUpstream },
        { "local, every source blocked: kept", Local, e => e with { Sockets = SocketsOf(Listening("127.0.0.1")), Firewall = FirewallOf(DropRule, DropRule) }, Cause.Ok },
        { "local on 0.0.0.0, the firewall blocks outside and the internal networks: kept", Local, e => e with { Sockets = SocketsOf(Listening("0.0.0.0")), Firewall = FirewallOf(DropRule, DropRule) }, Cause.Ok },
        { "local on 0.0.0.0, the internal networks let in: exposed", Local, e => e with { Sockets = SocketsOf(Listening("0.0.0.0")), Firewall = FirewallOf(DropRule, Accept) }, Cause.Exposed },
        { "local on 0.0.0.0, outside let in: exposed", Local, e => e with { Sockets = SocketsOf(Listening("0.0.0.0")), Firewall = FirewallOf(Accept, DropRule) }, Cause.Exposed },
        { "local on 0.0.0.0, outside blocked, no internal network (the host over lo): kept", Local, e => e with { Sockets = SocketsOf(Listening("0.0.0.0")), Firewall = FirewallOf(DropRule) with { Ports = new Dictionary<PortKey, FirewallPortResult> { [WebPort.Key] = new(DropRule, Accept) { InsideConnection = new(ConnectionOrigin.Inside, IPAddress.Loopback, IPAddress.Loopback, "lo", TransportProtocol.Tcp, 8080) } } } }, Cause.Ok },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Names_a_cause_only_for_a_broken_promise(string scenario, PortSpec port, Func<EvidenceSnapshot, EvidenceSnapshot> change, Cause expected)
    {
        var diagnosis = Diagnoser.Diagnose(port, For(port, change));

        Assert.True(expected == diagnosis.Cause, $"{scenario}: expected {expected}, got {diagnosis.Cause}: {diagnosis.Summary}");
        if (expected != Cause.Ok)
        {
            Assert.NotNull(diagnosis.Fix);
        }
    }

    [Fact]
    public void Silence_from_an_auto_watched_udp_port_is_no_evidence_but_from_a_configured_one_it_is()
    {
        var configured = WebPort with { Bind = null, Protocol = TransportProtocol.Udp };
        var inferred = configured with { Name = "auto-8080-udp", Origin = IntentOrigin.Inferred };
        var silence = new ProbeEvidence(
            new Dictionary<PortKey, IReadOnlyList<ProbeResult>> { [configured.Key] = [Probe("loopback", false, ProbeFailureReason.Timeout)] },
            new Dictionary<string, bool>());
        EvidenceSnapshot Evidence(PortSpec port) => For(port, e => e with
        {
            Sockets = SocketsOf(new PortExporter.Core.Sockets.Listener(TransportProtocol.Udp, IPAddress.Any, 8080, 100)),
            Firewall = new FirewallEvidence(["nftables"], new Dictionary<PortKey, FirewallPortResult> { [configured.Key] = new(Accept, Accept) }, DateTimeOffset.UnixEpoch),
            Probes = silence,
        });

        Assert.Equal(Cause.Ok, Diagnoser.Diagnose(inferred, Evidence(inferred)).Cause);
        Assert.Equal(Cause.Unknown, Diagnoser.Diagnose(configured, Evidence(configured)).Cause);
    }

    [Fact]
    public void Exposed_names_the_listener_and_the_accepting_rule()
    {
        var diagnosis = Diagnoser.Diagnose(Internal, For(Internal, e => e with { Firewall = FirewallOf(Accept) }));

        Assert.Equal(Cause.Exposed, diagnosis.Cause);
        Assert.Contains("must be internal (config)", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0:8080", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("nftables table inet filter chain input: policy accept", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("Drop new connections from outside to 8080/tcp", diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blocked_partner_range_names_the_broken_promise_the_rule_and_a_fix_for_that_range()
    {
        var diagnosis = Diagnoser.Diagnose(Partner, For(Partner, e => e with { Firewall = FirewallFrom(DropRule, DropRule) }));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.StartsWith("web (8080/tcp) must be reachable from 198.51.100.0/24 (expose public, config): dropped by nftables table inet filter chain input: iifname \"eth0\" tcp dport 8080 drop # handle 7.", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("tcp 198.51.100.1 -> 192.0.2.10:8080 on eth0", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("ip saddr 198.51.100.0/24 tcp dport 8080 accept", diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_internal_port_blocked_from_inside_names_the_internal_networks()
    {
        var diagnosis = Diagnoser.Diagnose(Internal, For(Internal, e => e with { Firewall = FirewallOf(DropRule, DropRule) }));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.StartsWith("web (8080/tcp) must be reachable from the internal networks (expose internal, config): dropped by", diagnosis.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_shows_the_verdict_of_every_source()
    {
        var evidence = For(Partner, e => e with { Firewall = FirewallFrom(DropRule, Accept) });
        var report = DiagnosisReport.From(evidence, Diagnoser.Diagnose(evidence));

        var port = Assert.Single(report.Ports);
        Assert.Equal(["outside", "inside", "198.51.100.0/24"], port.Firewall.Select(f => f.Source));
        Assert.Equal(["drop", "accept", "accept"], port.Firewall.Select(f => f.Verdict));
        Assert.Equal(["198.51.100.1", "198.51.100.254"], port.Firewall[2].Addresses);
        Assert.Contains("firewall 198.51.100.0/24    accept  nftables table inet filter chain input: policy accept (tcp 198.51.100.1 -> 192.0.2.10:8080 on eth0)", TextReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Exposed_local_names_the_listener_and_the_bind_fix()
    {
        var diagnosis = Diagnoser.Diagnose(Local, For(Local));

        Assert.Equal(Cause.Exposed, diagnosis.Cause);
        Assert.Contains("0.0.0.0:8080 (wildcard, nginx pid 4242)", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("Bind the service to 127.0.0.1", diagnosis.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Internal_with_a_wildcard_listener_and_no_firewall_evidence_is_unknown_never_ok()
    {
        var diagnosis = Diagnoser.Diagnose(Internal, For(Internal, e => e with { Firewall = null, Probes = ProbesOf(Probe("loopback", true)) }));

        Assert.Equal(Cause.Unknown, diagnosis.Cause);
        Assert.Contains(diagnosis.Missing, m => m.StartsWith("intent (exposure)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_report_carries_the_intent_and_the_exposed_cause_word()
    {
        var evidence = For(Local);
        var report = DiagnosisReport.From(evidence, Diagnoser.Diagnose(evidence));

        var port = Assert.Single(report.Ports);
        Assert.Equal("exposed", port.Cause);
        Assert.Equal("local", port.Expose);
        Assert.Equal("config", port.Origin);
        Assert.Contains("EXPOSED", TextReport.Render(report), StringComparison.Ordinal);
    }
}
