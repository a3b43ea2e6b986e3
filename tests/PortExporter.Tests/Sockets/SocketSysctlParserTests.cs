using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Sockets;

public sealed class SocketSysctlParserTests
{
    [Fact]
    public void Reads_the_captured_port_range_and_bindv6only()
    {
        var range = File.ReadAllText(Path.Combine(Fixtures.Case("mixed"), "sys", "net", "ipv4", "ip_local_port_range"));
        var bindV6Only = File.ReadAllText(Path.Combine(Fixtures.Case("bindv6only"), "sys", "net", "ipv6", "bindv6only"));

        Assert.Equal((32768, 60999), SocketSysctlParser.ParseLocalPortRange(range, "ip_local_port_range"));
        Assert.True(SocketSysctlParser.ParseBindV6Only(bindV6Only, "bindv6only"));
        Assert.False(SocketSysctlParser.ParseBindV6Only("0\n", "bindv6only"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("32768")]
    [InlineData("32768\t60999\t1")]
    [InlineData("60999\t32768")]
    [InlineData("0\t60999")]
    [InlineData("32768\t65536")]
    [InlineData("-1\t60999")]
    [InlineData("abc def")]
    public void Rejects_a_bad_port_range(string text)
    {
        var e = Assert.Throws<ProcfsFormatException>(() => SocketSysctlParser.ParseLocalPortRange(text, "/proc/sys/net/ipv4/ip_local_port_range"));

        Assert.Equal("ip_local_port_range", e.Field);
        Assert.Equal(text.Trim(), e.RawValue);
        Assert.StartsWith("/proc/sys/net/ipv4/ip_local_port_range line 1:", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("yes")]
    [InlineData("01")]
    public void Rejects_a_bad_bindv6only(string text)
    {
        var e = Assert.Throws<ProcfsFormatException>(() => SocketSysctlParser.ParseBindV6Only(text, "bindv6only"));

        Assert.Equal("bindv6only", e.Field);
        Assert.Equal(text, e.RawValue);
    }
}
