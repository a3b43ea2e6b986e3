using System.Net;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Firewalld;

namespace PortExporter.Firewall.Tests;

public sealed class FirewalldTests
{
    private static readonly IReadOnlyList<FirewalldZone> Zones = FirewalldZonesParser.Parse(Fixtures.Read("firewalld", "list-all-zones.txt"));

    private static readonly FirewalldConfiguration Configuration = new(
        Zones,
        new Dictionary<string, IReadOnlyList<string>>
        {
            ["ssh"] = FirewalldServiceParser.ParsePorts(Fixtures.Read("firewalld", "rootfs/usr/lib/firewalld/services/ssh.xml"), "ssh.xml"),
            ["cockpit"] = FirewalldServiceParser.ParsePorts(Fixtures.Read("firewalld", "rootfs/usr/lib/firewalld/services/cockpit.xml"), "cockpit.xml"),
            ["dhcpv6-client"] = FirewalldServiceParser.ParsePorts(Fixtures.Read("firewalld", "rootfs/usr/lib/firewalld/services/dhcpv6-client.xml"), "dhcpv6-client.xml"),
        });

    [Fact]
    public void Parses_zones_with_bindings_openings_and_continuation_lines()
    {
        Assert.Equal(["block", "external", "public", "trusted", "work"], Zones.Select(z => z.Name));
        var pub = Zones.Single(z => z.Name == "public");
        Assert.True(pub.IsDefault && pub.IsActive);
        Assert.Equal(["eth0"], pub.Interfaces);
        Assert.Equal(["cockpit", "dhcpv6-client", "ssh"], pub.Services);
        Assert.Equal(["8443/tcp", "60000-60010/udp"], pub.Ports);
        Assert.Single(pub.RichRules);
        Assert.Equal(2, Zones.Single(z => z.Name == "external").ForwardPorts.Count);
        Assert.Equal(["10.10.0.0/16"], Zones.Single(z => z.Name == "trusted").Sources);
        Assert.Equal("%%REJECT%%", Zones.Single(z => z.Name == "block").Target);
        Assert.Equal(["22/tcp"], Configuration.ServicePorts["ssh"]);
    }

    [Theory]
    [InlineData("203.0.113.1", "eth0", 8443, "zone public (interfaces eth0) opens 8443/tcp (port 8443/tcp)")]
    [InlineData("203.0.113.1", "eth0", 22, "zone public (interfaces eth0) opens 22/tcp (service ssh)")]
    [InlineData("203.0.113.1", "eth0", 9090, "zone public (interfaces eth0) opens 9090/tcp (service cockpit)")]
    [InlineData("203.0.113.1", "eth0", 8080, "zone public (interfaces eth0) does not open 8080/tcp (ports: 8443/tcp 60000-60010/udp; services: cockpit dhcpv6-client ssh)")]
    [InlineData("10.10.3.4", "eth0", 8080, "zone trusted (source 10.10.0.0/16) accepts everything (target ACCEPT)")]
    [InlineData("203.0.113.1", "eth1", 8443, "zone work (interfaces eth1) does not open 8443/tcp (ports: none; services: dhcpv6-client ssh)")]
    [InlineData("203.0.113.1", "eth9", 8443, "zone public (interfaces eth0) opens 8443/tcp (port 8443/tcp)")]
    public void Explains_in_firewalld_terms(string source, string inInterface, int port, string expected)
    {
        var connection = new SimulatedConnection(ConnectionOrigin.Outside, IPAddress.Parse(source), IPAddress.Parse("10.77.0.1"), inInterface, TransportProtocol.Tcp, port);
        Assert.Equal(expected, FirewalldExplainer.Explain(Configuration, connection)?.Text);
    }

    [Theory]
    [InlineData("  target: default\n", "zone attribute before any zone header")]
    [InlineData("public\n  no colon here\n", "expected 'key: values'")]
    [InlineData("public\n\tport=1:proto=tcp\n", "continuation line outside forward-ports / rich rules")]
    public void Garbage_zone_listings_are_parse_errors(string text, string expected)
    {
        var e = Assert.Throws<FirewallParseException>(() => FirewalldZonesParser.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_service_definition_is_a_parse_error()
    {
        var e = Assert.Throws<FirewallParseException>(() => FirewalldServiceParser.ParsePorts("<service><port", "x.xml"));
        Assert.StartsWith("x.xml: ", e.Message, StringComparison.Ordinal);
        Assert.Throws<FirewallParseException>(() => FirewalldServiceParser.ParsePorts("<!DOCTYPE x [<!ENTITY a \"b\">]><service/>", "x.xml"));
    }
}
