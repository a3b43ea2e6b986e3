using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

public sealed class NftChainDevicesTests
{
    private const string Fixture = "nft-netdev-ingress";

    [Fact]
    public void The_json_of_nft_1_0_6_leaves_the_ingress_devices_out()
    {
        Assert.True(NftChainDevices.Missing(NftJsonParser.Parse(Fixtures.Read(Fixture, "nft.json"))));
    }

    [Fact]
    public void The_text_names_one_device_or_a_set_of_them()
    {
        var devices = NftChainDevices.Parse(Fixtures.Read(Fixture, "nft-chains.txt"));

        Assert.Equal(["eth0"], devices[(TableFamily.Netdev, "edge", "eth0_in")]);
        Assert.Equal(["peer0"], devices[(TableFamily.Netdev, "edge", "peer_in")]);
        Assert.Equal(["eth0", "peer0"], devices[(TableFamily.Netdev, "edge", "both_in")]);
        Assert.Equal(["eth0"], devices[(TableFamily.Inet, "early", "ing")]);
        Assert.Equal(4, devices.Count);
    }

    [Fact]
    public void Applied_devices_leave_no_ingress_chain_unknown()
    {
        var nft = NftJsonParser.Parse(Fixtures.Read(Fixture, "nft.json"));

        var applied = NftChainDevices.Apply(nft, NftChainDevices.Parse(Fixtures.Read(Fixture, "nft-chains.txt")));

        Assert.False(NftChainDevices.Missing(applied));
        Assert.Equal(nft.Tables.Sum(t => t.Chains.Values.Sum(c => c.Rules.Count)), applied.Tables.Sum(t => t.Chains.Values.Sum(c => c.Rules.Count)));
    }

    [Fact]
    public void Chains_without_devices_and_unknown_lines_are_skipped()
    {
        var devices = NftChainDevices.Parse("table ip filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\nsomething else\n");

        Assert.Empty(devices);
    }

    [Fact]
    public void A_device_line_outside_a_chain_is_a_parse_error()
    {
        var e = Assert.Throws<FirewallParseException>(() => NftChainDevices.Parse("type filter hook ingress device \"eth0\" priority 0;\n"));

        Assert.Contains("line 1", e.Message, StringComparison.Ordinal);
    }
}
