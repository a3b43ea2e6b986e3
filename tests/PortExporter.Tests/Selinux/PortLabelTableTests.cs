using PortExporter.Core;
using PortExporter.Core.Selinux;

namespace PortExporter.Tests.Selinux;

public sealed class PortLabelTableTests
{
    private static readonly PortLabelTable Fixture = new(
        [
            .. SemanagePortListParser.Parse(Fixtures.Text("enforcing", "semanage-port-list.txt")),
            .. PortsLocalParser.Parse(Fixtures.Text("enforcing", "root", "var", "lib", "selinux", "targeted", "active", "ports.local"), "ports.local"),
        ],
        IsComplete: true,
        "fixture");

    [Theory]
    [InlineData(80, TransportProtocol.Tcp, "http_port_t", PortLabelSource.Policy)]
    [InlineData(8081, TransportProtocol.Tcp, "http_port_t", PortLabelSource.LocalCustomisation)]
    [InlineData(8082, TransportProtocol.Tcp, "unreserved_port_t", PortLabelSource.Policy)]
    [InlineData(9102, TransportProtocol.Tcp, "websm_port_t", PortLabelSource.LocalCustomisation)]
    [InlineData(10005, TransportProtocol.Tcp, "http_cache_port_t", PortLabelSource.Policy)]
    [InlineData(3306, TransportProtocol.Tcp, "mysqld_port_t", PortLabelSource.Policy)]
    [InlineData(63140, TransportProtocol.Tcp, "mysqld_port_t", PortLabelSource.Policy)]
    [InlineData(53, TransportProtocol.Udp, "dns_port_t", PortLabelSource.Policy)]
    [InlineData(100, TransportProtocol.Udp, "reserved_port_t", PortLabelSource.Policy)]
    [InlineData(40000, TransportProtocol.Udp, "ephemeral_port_t", PortLabelSource.Policy)]
    public void Resolves_like_the_kernel(int port, TransportProtocol protocol, string type, PortLabelSource source)
    {
        Assert.Equal((type, source), Fixture.Lookup(new PortKey(port, protocol)));
    }

    [Fact]
    public void A_single_port_beats_the_range_around_it()
    {
        // 10010 is in http_cache_port_t 10001-10010 and unreserved_port_t 1024-32767 in the real policy.
        var table = new PortLabelTable(
            [Label(1024, 32767, "unreserved_port_t"), Label(10001, 10010, "http_cache_port_t"), Label(10005, 10005, "special_port_t")],
            true,
            "t");

        Assert.Equal("special_port_t", table.Resolve(new PortKey(10005, TransportProtocol.Tcp))!.Type);
        Assert.Equal("http_cache_port_t", table.Resolve(new PortKey(10006, TransportProtocol.Tcp))!.Type);
        Assert.Equal("unreserved_port_t", table.Resolve(new PortKey(10011, TransportProtocol.Tcp))!.Type);
    }

    [Fact]
    public void A_local_customisation_beats_a_narrower_policy_entry()
    {
        var table = new PortLabelTable([Label(8080, 8080, "http_cache_port_t"), Label(8000, 8100, "my_port_t", local: true)], true, "t");

        Assert.Equal(("my_port_t", PortLabelSource.LocalCustomisation), table.Lookup(new PortKey(8080, TransportProtocol.Tcp)));
    }

    [Fact]
    public void Equal_widths_take_the_lower_start_and_the_protocol_must_match()
    {
        var table = new PortLabelTable([Label(20, 30, "b_t"), Label(10, 20, "a_t"), Label(20, 20, "udp_t", protocol: TransportProtocol.Udp)], true, "t");

        Assert.Equal("a_t", table.Resolve(new PortKey(20, TransportProtocol.Tcp))!.Type);
        Assert.Equal("udp_t", table.Resolve(new PortKey(20, TransportProtocol.Udp))!.Type);
    }

    [Fact]
    public void A_port_outside_every_entry_is_unlisted_only_when_the_table_is_complete()
    {
        var key = new PortKey(0, TransportProtocol.Tcp);

        Assert.Equal((null, PortLabelSource.Unlisted), Fixture.Lookup(key));
        Assert.Equal((null, PortLabelSource.Unknown), new PortLabelTable([Label(1, 10, "x_t", local: true)], false, "t").Lookup(key));
        Assert.Equal((null, PortLabelSource.Unknown), PortLabelTable.Empty.Lookup(new PortKey(80, TransportProtocol.Tcp)));
    }

    private static PortLabel Label(int low, int high, string type, bool local = false, TransportProtocol protocol = TransportProtocol.Tcp) =>
        new(protocol, low, high, type, local);
}
