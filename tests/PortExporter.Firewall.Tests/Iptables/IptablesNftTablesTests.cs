using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>Which tables of nft's dump iptables-nft made, on rulesets the real tools wrote.</summary>
public sealed class IptablesNftTablesTests
{
    private static FirewallTable Table(string fixture, TableFamily family, string name) =>
        NftJsonParser.Parse(Fixtures.Read(fixture, "nft.json")).Tables.Single(t => t.Family == family && t.Name == name);

    [Theory]
    [InlineData("iptables-nft-plain-rules", TableFamily.Ip, "filter")]
    [InlineData("iptables-nft-plain-rules", TableFamily.Ip6, "filter")]
    [InlineData("counters", TableFamily.Ip, "filter")]
    public void A_table_iptables_nft_made_of_plain_rules_is_recognized(string fixture, TableFamily family, string name)
    {
        var table = Table(fixture, family, name);

        Assert.True(IptablesNftTables.Made(table));
        Assert.Equal(family == TableFamily.Ip ? FirewallBackends.IptablesNft : FirewallBackends.Ip6tablesNft, IptablesNftTables.Backend(table.Family));
    }

    [Theory]
    [InlineData("iptables-nft-plain-rules", TableFamily.Ip, "mangle")]
    [InlineData("counters", TableFamily.Inet, "app")]
    [InlineData("kube-proxy-nftables", TableFamily.Ip, "kube-proxy")]
    [InlineData("nft-inet-and-ip-priorities", TableFamily.Ip, "late")]
    [InlineData("ipv6-only-rules", TableFamily.Ip6, "v6only")]
    public void A_native_table_is_not(string fixture, TableFamily family, string name) =>
        Assert.False(IptablesNftTables.Made(Table(fixture, family, name)));

    [Theory]
    [InlineData("INPUT", NetfilterHook.Input, 10)]
    [InlineData("INPUT", NetfilterHook.Forward, 0)]
    [InlineData("input", NetfilterHook.Input, 0)]
    public void A_built_in_name_with_another_hook_or_priority_is_not(string chain, NetfilterHook hook, int priority)
    {
        var table = new FirewallTable(FirewallBackends.Nftables, TableFamily.Ip, "filter", new Dictionary<string, FirewallChain>
        {
            [chain] = new(chain, new BaseChainHook(hook, priority, ChainType.Filter, PolicyDrops: false), []),
        });

        Assert.False(IptablesNftTables.Made(table));
    }

    [Fact]
    public void A_table_without_base_chains_or_of_another_family_is_not()
    {
        var user = new Dictionary<string, FirewallChain> { ["ALLOW"] = new("ALLOW", null, []) };
        var input = new Dictionary<string, FirewallChain> { ["INPUT"] = new("INPUT", new BaseChainHook(NetfilterHook.Input, 0, ChainType.Filter, PolicyDrops: false), []) };

        Assert.False(IptablesNftTables.Made(new FirewallTable(FirewallBackends.Nftables, TableFamily.Ip, "filter", user)));
        Assert.False(IptablesNftTables.Made(new FirewallTable(FirewallBackends.Nftables, TableFamily.Inet, "filter", input)));
        Assert.Null(IptablesNftTables.Backend(TableFamily.Inet));
    }
}
