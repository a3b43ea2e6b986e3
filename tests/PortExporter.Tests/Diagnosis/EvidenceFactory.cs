using System.Net;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Diagnosis;

/// <summary>Builds evidence snapshots for the rule tables: a healthy baseline, changed one fact at a time.</summary>
internal static class EvidenceFactory
{
    public static readonly PortSpec WebPort = new("web", 8080, TransportProtocol.Tcp, Process: "nginx", Bind: IPAddress.Parse("192.0.2.10"));

    public static readonly ExporterConfig Config = ExporterConfig.AutoDiscover with { SourcePath = "test.yml", Ports = [WebPort] };

    public static Listener Listening(string address, ulong inode = 100, bool? v6Only = null) =>
        new(TransportProtocol.Tcp, IPAddress.Parse(address), 8080, inode, v6Only);

    public static SocketEvidence SocketsOf(params Listener[] listeners) => new(listeners);

    public static ProcessEvidence ProcessesOf(bool running = true) => new(
        new Dictionary<ulong, ProcessInfo> { [100] = new(4242, "nginx", "nginx") },
        new Dictionary<string, bool> { ["nginx"] = running },
        new Dictionary<string, UnitState>(),
        SystemdAvailable: false,
        UnreadableProcesses: 0);

    /// <summary>nginx not running and its unit in <paramref name="unitState"/>, the listener inode 100 held by systemd (socket activation).</summary>
    public static ProcessEvidence ActivatedBySystemd(string unitState = "inactive") => new(
        new Dictionary<ulong, ProcessInfo> { [100] = new(1, "systemd", "systemd") },
        new Dictionary<string, bool> { ["nginx"] = false },
        new Dictionary<string, UnitState> { ["nginx.service"] = new("nginx.service", unitState, unitState == "failed" ? "failed" : "dead") },
        SystemdAvailable: true,
        UnreadableProcesses: 0);

    public static HostNetwork NetworkOf() => new(
        [new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("eth0", [IPAddress.Parse("192.0.2.10")]), new HostInterface("eth1", [IPAddress.Parse("10.0.0.5")])],
        "eth0",
        null);

    public static FirewallDecision Accept { get; } = new(FirewallVerdict.Accept, "nftables", "inet filter", "input", "policy accept");

    public static FirewallDecision DropRule { get; } = new(FirewallVerdict.Drop, "nftables", "inet filter", "input", "iifname \"eth0\" tcp dport 8080 drop # handle 7");

    public static FirewallEvidence FirewallOf(FirewallDecision outside, FirewallDecision? inside = null) => new(
        ["nftables"],
        new Dictionary<PortKey, FirewallPortResult> { [WebPort.Key] = new(outside, inside ?? Accept) },
        DateTimeOffset.UnixEpoch);

    public static SelinuxEvidence SelinuxOff() => new(false, SelinuxMode.Disabled, null, new Dictionary<PortKey, SelinuxPortResult>());

    public static SelinuxEvidence SelinuxDenying() => new(
        true,
        SelinuxMode.Enforcing,
        SelinuxMode.Enforcing,
        new Dictionary<PortKey, SelinuxPortResult>
        {
            [WebPort.Key] = new("unreserved_port_t", false, new Dictionary<string, long> { ["name_bind"] = 3 }, DateTimeOffset.UnixEpoch, "httpd_t", false),
        });

    public static ProbeResult Probe(string vantage, bool ok, ProbeFailureReason reason = ProbeFailureReason.None) =>
        new(vantage, vantage == "loopback" ? "127.0.0.1:8080" : "192.0.2.10:8080", ok, ok ? ProbeFailureReason.None : reason, TimeSpan.FromMilliseconds(1));

    public static ProbeEvidence ProbesOf(params ProbeResult[] results) => ProbesWithVantagesOf(new Dictionary<string, bool>(), results);

    public static ProbeEvidence ProbesWithVantagesOf(Dictionary<string, bool> vantageUp, params ProbeResult[] results) => new(
        new Dictionary<PortKey, IReadOnlyList<ProbeResult>> { [WebPort.Key] = results },
        vantageUp);

    /// <summary>Everything healthy: listener on 0.0.0.0, nginx running, firewall accepts, SELinux off, probes succeed.</summary>
    public static EvidenceSnapshot Healthy() => new(
        DateTimeOffset.UnixEpoch,
        Config,
        [WebPort],
        new Dictionary<string, CollectorStatus>(),
        SocketsOf(Listening("0.0.0.0")),
        ProcessesOf(),
        FirewallOf(Accept),
        SelinuxOff(),
        ProbesOf(Probe("loopback", true), Probe("internal", true), Probe("external", true)),
        NetworkOf());
}
