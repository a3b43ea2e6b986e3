using PortExporter.Core;
using PortExporter.Core.Baseline;

namespace PortExporter.Tests.Baseline;

/// <summary>A small baseline to change one field at a time.</summary>
internal static class BaselineSamples
{
    public static readonly PortSurface Web = new(
        new PortKey(8080, TransportProtocol.Tcp),
        "web",
        "public",
        "config",
        [new ListenerSurface("0.0.0.0", "wildcard", "nginx")],
        "nginx.service active",
        [
            new VerdictSurface("inside", "accept", "iptables-legacy filter INPUT", "policy accept"),
            new VerdictSurface("outside", "accept", "iptables-legacy filter INPUT", "policy accept"),
        ],
        "http_port_t",
        ["external 203.0.113.5:80"]);

    public static readonly PortSurface Dns = new(
        new PortKey(53, TransportProtocol.Udp),
        "dns",
        "internal",
        "inferred",
        [new ListenerSurface("10.0.0.5", "address", "unbound")],
        BaselineFormat.None,
        [
            new VerdictSurface("inside", "accept", "nftables inet filter input", "policy accept"),
            new VerdictSurface("outside", "drop", "nftables inet filter input", "iifname \"eth0\" udp dport 53 drop"),
        ],
        BaselineFormat.None,
        []);

    public static SurfaceBaseline Of(params PortSurface[] ports) => new(
        BaselineFormat.Version,
        "web-1",
        [new RulesetFingerprint("iptables-legacy", new string('a', 64), 4)],
        ports);
}
