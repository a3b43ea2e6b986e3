using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>Every firewall parser reports with the one parse error and quotes the raw value by the one clipping rule.</summary>
public sealed class FirewallParseExceptionTests
{
    private static readonly string Long = new('x', 500);

    public static TheoryData<string, Action> BrokenDumps() => new()
    {
        { "iptables-save", () => IptablesSaveParser.Parse($"*filter\n:INPUT ACCEPT [0:0]\n[0:0] -A INPUT --bogus {Long}\nCOMMIT\n", FirewallBackends.IptablesLegacy, 4, "iptables-save") },
        { "nft -j", () => NftJsonParser.Parse($$$"""{"nftables":[{"table":{"family":"ip","name":"t","handle":1}},{"chain":{"family":"ip","table":"t","name":"c","handle":2,"type":"filter","hook":"input","comment":"{{{Long}}}"}}]}""", source: "nft -j") },
    };

    [Theory]
    [MemberData(nameof(BrokenDumps))]
    public void A_long_raw_value_is_clipped_the_same_way_by_every_parser(string source, Action parse)
    {
        var e = Assert.Throws<FirewallParseException>(parse);
        Assert.Equal(source, e.Source);
        Assert.Equal(Clipping.MaxRawChars, e.Raw!.Length);
        Assert.EndsWith(Clipping.Marker, e.Raw, StringComparison.Ordinal);
        Assert.EndsWith($"'{e.Raw}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_raw_value_is_quoted_whole()
    {
        var e = new FirewallParseException("nft -j", "rule 1", "bad", "abc");
        Assert.Equal("abc", e.Raw);
        Assert.Equal("nft -j: rule 1: bad: 'abc'", e.Message);
    }
}
