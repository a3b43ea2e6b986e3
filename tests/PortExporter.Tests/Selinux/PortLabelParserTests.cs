using PortExporter.Core;
using PortExporter.Core.Selinux;

namespace PortExporter.Tests.Selinux;

public sealed class PortLabelParserTests
{
    [Fact]
    public void Parses_semanage_port_list_with_lists_and_ranges()
    {
        var labels = SemanagePortListParser.Parse(Fixtures.Text("enforcing", "semanage-port-list.txt"));

        Assert.DoesNotContain(labels, l => l.Low == 600 && l.High == 1023 && l.Type == "hi_reserved_port_t" && l.Protocol == TransportProtocol.Tcp);
        Assert.Contains(new PortLabel(TransportProtocol.Tcp, 8081, 8081, "http_port_t", false), labels);
        Assert.Contains(new PortLabel(TransportProtocol.Tcp, 9000, 9000, "http_port_t", false), labels);
        Assert.Contains(new PortLabel(TransportProtocol.Tcp, 61000, 65535, "unreserved_port_t", false), labels);
        Assert.Contains(new PortLabel(TransportProtocol.Udp, 1024, 32767, "unreserved_port_t", false), labels);
        Assert.Contains(new PortLabel(TransportProtocol.Tcp, 10001, 10010, "http_cache_port_t", false), labels);
        Assert.All(labels, l => Assert.False(l.IsLocal));
        Assert.Equal(34, labels.Count);
    }

    [Fact]
    public void Skips_the_heading_when_semanage_prints_one()
    {
        var labels = SemanagePortListParser.Parse("SELinux Port Type              Proto    Port Number\n\nssh_port_t                     tcp      22\n");

        Assert.Equal([new PortLabel(TransportProtocol.Tcp, 22, 22, "ssh_port_t", false)], labels);
    }

    [Theory]
    [InlineData("ssh_port_t\n", "line", "ssh_port_t")]
    [InlineData("ssh_port_t tcp\n", "line", "ssh_port_t tcp")]
    [InlineData("ssh_port_t icmp 22\n", "proto", "icmp")]
    [InlineData("ssh_port_t tcp 22, x\n", "port", "x")]
    [InlineData("ssh_port_t tcp 70000\n", "port", "70000")]
    [InlineData("ssh_port_t tcp 30-20\n", "port range", "30-20")]
    [InlineData("ssh-port tcp 22\n", "type", "ssh-port")]
    public void Bad_semanage_lines_name_the_field(string text, string field, string raw)
    {
        var e = Assert.Throws<SelinuxFormatException>(() => SemanagePortListParser.Parse(text));

        Assert.Equal("semanage port -l -n:1", e.Source);
        Assert.Equal(field, e.Field);
        Assert.Equal(raw, e.RawValue);
    }

    [Fact]
    public void Parses_ports_local_single_ports_and_ranges()
    {
        var labels = PortsLocalParser.Parse(Fixtures.Text("enforcing", "root", "var", "lib", "selinux", "targeted", "active", "ports.local"), "ports.local");

        Assert.Equal(
            [
                new PortLabel(TransportProtocol.Tcp, 8081, 8081, "http_port_t", true),
                new PortLabel(TransportProtocol.Tcp, 9100, 9105, "websm_port_t", true),
            ],
            labels);
    }

    [Theory]
    [InlineData("portcon udp 5353-5354 system_u:object_r:howl_port_t:s0", TransportProtocol.Udp, 5353, 5354, "howl_port_t")]
    [InlineData("portcon TCP 8888 system_u:object_r:port_t:s0:c20.c350", TransportProtocol.Tcp, 8888, 8888, "port_t")]
    [InlineData("portcon tcp 1 -  2 system_u:object_r:x_t", TransportProtocol.Tcp, 1, 2, "x_t")]
    public void Parses_ports_local_variants(string line, TransportProtocol protocol, int low, int high, string type)
    {
        var label = Assert.Single(PortsLocalParser.Parse(line, "ports.local"));

        Assert.Equal(new PortLabel(protocol, low, high, type, true), label);
    }

    [Fact]
    public void Skips_sctp_and_dccp_in_ports_local() =>
        Assert.Empty(PortsLocalParser.Parse("portcon sctp 5000 system_u:object_r:x_t:s0\nportcon dccp 5001 system_u:object_r:x_t:s0\n", "ports.local"));

    [Theory]
    [InlineData("nodecon ipv4 127.0.0.2 255.255.255.255 system_u:object_r:node_t:s0", "line")]
    [InlineData("portcon tcp 8081", "line")]
    [InlineData("portcon tcp eighty system_u:object_r:http_port_t:s0", "port")]
    [InlineData("portcon tcp 8081 http_port_t", "context")]
    [InlineData("portcon icmp 8081 system_u:object_r:http_port_t:s0", "proto")]
    public void Bad_ports_local_lines_name_the_field(string line, string field)
    {
        var e = Assert.Throws<SelinuxFormatException>(() => PortsLocalParser.Parse("# header\n" + line + "\n", "ports.local"));

        Assert.Equal("ports.local:2", e.Source);
        Assert.Equal(field, e.Field);
    }
}
