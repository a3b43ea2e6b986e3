using System.Net;
using PortExporter.Core.Backend;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Backend;

/// <summary>Which namespace owns a DNAT target, and which of its sockets serve it.</summary>
public sealed class BackendMatcherTests
{
    private static readonly BackendTarget Target = new(IPAddress.Parse("172.31.0.2"), 80, TransportProtocol.Tcp);

    private static Listener L(string address, int port = 80, bool? v6Only = null, TransportProtocol protocol = TransportProtocol.Tcp) =>
        new(protocol, IPAddress.Parse(address), port, 1, v6Only);

    public static TheoryData<string, Listener, bool> Listeners => new()
    {
        { "0.0.0.0 serves every IPv4 address", L("0.0.0.0"), true },
        { "the target's own address", L("172.31.0.2"), true },
        { "another address of the namespace", L("172.31.0.3"), false },
        { "loopback inside the container", L("127.0.0.1"), false },
        { "[::] with the flag unknown: a namespace starts with bindv6only 0", L("::"), true },
        { "[::] dual-stack", L("::", v6Only: false), true },
        { "[::] IPv6 only", L("::", v6Only: true), false },
        { "IPv4-mapped target address", L("::ffff:172.31.0.2"), true },
        { "another port", L("0.0.0.0", port: 81), false },
        { "UDP on the port", L("0.0.0.0", protocol: TransportProtocol.Udp), false },
    };

    [Theory]
    [MemberData(nameof(Listeners))]
    public void A_listener_serves_the_target_only_on_its_port_protocol_and_address(string scenario, Listener listener, bool serves)
    {
        var serving = BackendMatcher.Serving([listener], Target);
        Assert.True(serves == (serving.Count == 1), scenario);
    }

    [Fact]
    public void A_namespace_owns_the_target_when_one_of_its_addresses_is_it_mapped_or_not()
    {
        Assert.True(BackendMatcher.Owns([IPAddress.Parse("127.0.0.1"), IPAddress.Parse("172.31.0.2")], Target.Address));
        Assert.True(BackendMatcher.Owns([IPAddress.Parse("::ffff:172.31.0.2")], Target.Address));
        Assert.False(BackendMatcher.Owns([IPAddress.Parse("172.31.0.1"), IPAddress.Parse("172.31.0.20")], Target.Address));
        Assert.True(BackendMatcher.Owns([IPAddress.Parse("fd00::2")], IPAddress.Parse("fd00::2")));
    }

    [Fact]
    public void The_backend_label_is_address_and_port_with_brackets_for_IPv6()
    {
        Assert.Equal("172.31.0.2:80", Target.Label);
        Assert.Equal("[fd00::2]:8080", new BackendTarget(IPAddress.Parse("fd00::2"), 8080, TransportProtocol.Tcp).Label);
    }
}
