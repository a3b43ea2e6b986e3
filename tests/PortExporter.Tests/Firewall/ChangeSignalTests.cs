using PortExporter.Core.Firewall.Reading;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Firewall;

public sealed class ChangeSignalTests
{
    [Fact]
    public void The_nftables_generation_moves_with_every_commit_in_the_namespace()
    {
        using var ns = new Netns("fwgen");
        var signal = new NftablesGenerationSignal();
        var before = NetnsSocket.RunIn(ns.Name, signal.Read);
        Assert.NotNull(before);
        Assert.Equal(before, NetnsSocket.RunIn(ns.Name, signal.Read));

        ns.Exec("nft", "add", "table", "inet", "probe");
        var afterNft = NetnsSocket.RunIn(ns.Name, signal.Read);
        ns.Exec("iptables-nft", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        var afterIptables = NetnsSocket.RunIn(ns.Name, signal.Read);
        Assert.True(afterNft > before, $"{before} -> {afterNft}");
        Assert.True(afterIptables > afterNft, $"{afterNft} -> {afterIptables}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("300000000F0A")]
    [InlineData("140000000200000001000000DC220000FFFFFFFF")]
    [InlineData("300000000F0A000001000000DC220000000000030200010000000003")]
    public void A_short_or_foreign_reply_is_no_signal(string hex)
    {
        Assert.Null(NftablesGenerationSignal.Parse(Convert.FromHexString(hex)));
    }
}
