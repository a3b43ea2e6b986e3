using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Probes;

public sealed class ProbePlannerTests
{
    // eth0 faces outside, eth1 an internal network (the device a listener may be bound to).
    private static readonly InterfaceAddress[] Host =
    [
        new(IPAddress.Loopback, "lo"), new(IPAddress.IPv6Loopback, "lo"), new(IPAddress.Parse("10.0.0.5"), "eth0"),
        new(IPAddress.Parse("fe80::1"), "eth0"), new(IPAddress.Parse("2001:db8::5"), "eth0"), new(IPAddress.Parse("192.168.1.5"), "eth1"),
    ];

    public static TheoryData<string, PortSpec, Listener[], string[]> Cases => new()
    {
        {
            "wildcard IPv4 listener: loopback and the host's IPv4 addresses",
            Web(), [Tcp("0.0.0.0")],
            ["loopback 127.0.0.1:80", "internal 10.0.0.5:80", "internal 192.168.1.5:80"]
        },
        {
            "wildcard bound to eth1 (SO_BINDTODEVICE): eth1's addresses only; loopback arrives on lo and is refused by design",
            Web(), [Tcp("0.0.0.0") with { Device = "eth1" }],
            ["internal 192.168.1.5:80"]
        },
        {
            "one wildcard bound to eth1, another bound to none: every address again",
            Web(), [Tcp("0.0.0.0") with { Device = "eth1" }, Tcp("::", v6Only: true)],
            ["loopback ::1:80", "internal 10.0.0.5:80", "internal 192.168.1.5:80", "internal 2001:db8::5:80"]
        },
        {
            "dual-stack [::] listener: ::1 too, and both families, IPv4 first, no link-local",
            Web(), [Tcp("::", v6Only: false)],
            ["loopback 127.0.0.1:80", "loopback ::1:80", "internal 10.0.0.5:80", "internal 192.168.1.5:80", "internal 2001:db8::5:80"]
        },
        {
            "[::] with IPV6_V6ONLY: only IPv6, 127.0.0.1 is refused by design",
            Web(), [Tcp("::", v6Only: true)],
            ["loopback ::1:80", "internal 2001:db8::5:80"]
        },
        {
            "[::] whose IPV6_V6ONLY is unknown counts as dual-stack, the Linux default",
            Web(), [Tcp("::")],
            ["loopback 127.0.0.1:80", "loopback ::1:80", "internal 2001:db8::5:80"]
        },
        {
            "IPv6 address listener: neither loopback address takes it",
            Web(), [Tcp("2001:db8::5")],
            ["internal 2001:db8::5:80"]
        },
        {
            "listener on ::1 only: ::1, and the host's addresses to show they are refused",
            Web(), [Tcp("::1")],
            ["loopback ::1:80", "internal 10.0.0.5:80", "internal 192.168.1.5:80", "internal 2001:db8::5:80"]
        },
        {
            "specific address listener: that address only, no loopback (it is refused by design)",
            Web(), [Tcp("10.0.0.5")],
            ["internal 10.0.0.5:80"]
        },
        {
            "listener on 127.0.0.1 (case C): the host's addresses, to show they are refused",
            Web(), [Tcp("127.0.0.1")],
            ["loopback 127.0.0.1:80", "internal 10.0.0.5:80", "internal 192.168.1.5:80", "internal 2001:db8::5:80"]
        },
        {
            "listener on 127.0.0.1 with bind in the config: the bind address",
            Web(bind: "10.0.0.5"), [Tcp("127.0.0.1")],
            ["loopback 127.0.0.1:80", "internal 10.0.0.5:80"]
        },
        {
            "no listener (case B): loopback and the host's addresses",
            Web(), [],
            ["loopback 127.0.0.1:80", "internal 10.0.0.5:80", "internal 192.168.1.5:80", "internal 2001:db8::5:80"]
        },
        {
            "bind 0.0.0.0 means the host's IPv4 addresses",
            Web(bind: "0.0.0.0"), [Tcp("127.0.0.1")],
            ["loopback 127.0.0.1:80", "internal 10.0.0.5:80", "internal 192.168.1.5:80"]
        },
        {
            "IPv4-mapped listener address is probed as IPv4, bind and listener deduplicated",
            Web(bind: "10.0.0.5"), [Tcp("::ffff:10.0.0.5")],
            ["internal 10.0.0.5:80"]
        },
        {
            "external endpoints as written, NAT port kept, duplicates dropped",
            Web(external: ["203.0.113.10:8080", "web.example.net:80", "203.0.113.10:8080"]), [Tcp("10.0.0.5")],
            ["internal 10.0.0.5:80", "external 203.0.113.10:8080", "external web.example.net:80"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plans_the_addresses_of_the_case(string why, PortSpec port, Listener[] listeners, string[] expected)
    {
        var plan = ProbePlanner.Plan(port, listeners, Host);

        Assert.True(expected.SequenceEqual(plan.Select(p => $"{p.Vantage} {p.Host}:{p.Port}")), $"{why}: got {string.Join(", ", plan.Select(p => $"{p.Vantage} {p.Host}:{p.Port}"))}");
    }

    [Fact]
    public void Internal_addresses_are_bounded()
    {
        var many = Enumerable.Range(1, 40).Select(i => new InterfaceAddress(IPAddress.Parse($"10.0.1.{i}"), "eth0")).ToArray();

        var plan = ProbePlanner.Plan(Web(), [Tcp("0.0.0.0")], many);

        Assert.Equal(ProbeLimits.MaxInternalAddressesPerPort, plan.Count(p => p.Vantage == ProbeVantageNames.Internal));
    }

    private static PortSpec Web(string? bind = null, string[]? external = null) =>
        new("web", 80, TransportProtocol.Tcp, Bind: bind is null ? null : IPAddress.Parse(bind),
            External: external?.Select(e => HostPort.TryParse(e, out var hp) ? hp! : throw new ArgumentException(e)).ToList());

    private static Listener Tcp(string address, bool? v6Only = null) => new(TransportProtocol.Tcp, IPAddress.Parse(address), 80, 1, v6Only);
}
