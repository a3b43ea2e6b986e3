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

    [Fact]
    public void Legacy_tables_in_the_namespace_make_the_signal_incomplete_there_only()
    {
        using var legacy = new Netns("fwgenl");
        using var clean = new Netns("fwgenc");
        var signal = new NftablesGenerationSignal();
        legacy.Exec("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");

        // A legacy rule change moves no generation: the signal must not claim to cover it, though nft changes still move it.
        Assert.True(NetnsSocket.RunIn(legacy.Name, () => NftablesGenerationSignal.UnsignalledSourcesPresent("/proc/thread-self/net", "/sys/module")));
        Assert.False(NetnsSocket.RunIn(legacy.Name, signal.CoversAllChanges));
        Assert.NotNull(NetnsSocket.RunIn(legacy.Name, signal.Read));

        // The namespace beside it has no legacy table; the ipset module, when loaded, is host-wide and counts there too.
        var ipsetLoaded = Directory.Exists("/sys/module/ip_set");
        Assert.Equal(!ipsetLoaded, NetnsSocket.RunIn(clean.Name, signal.CoversAllChanges));
    }

    [Theory]
    [InlineData(null, null, false, false)]
    [InlineData("", "", false, false)]
    [InlineData("filter\n", null, false, true)]
    [InlineData(null, "mangle\nfilter\n", false, true)]
    [InlineData(null, null, true, true)]
    public void Legacy_table_names_or_the_ipset_module_are_changes_without_a_generation(string? ipv4, string? ipv6, bool ipset, bool unsignalled)
    {
        using var dir = new TempDir();
        var net = Directory.CreateDirectory(Path.Combine(dir.Path, "net")).FullName;
        var modules = Directory.CreateDirectory(Path.Combine(dir.Path, "module")).FullName;
        if (ipv4 is not null)
        {
            File.WriteAllText(Path.Combine(net, "ip_tables_names"), ipv4);
        }

        if (ipv6 is not null)
        {
            File.WriteAllText(Path.Combine(net, "ip6_tables_names"), ipv6);
        }

        if (ipset)
        {
            Directory.CreateDirectory(Path.Combine(modules, "ip_set"));
        }

        Assert.Equal(unsignalled, NftablesGenerationSignal.UnsignalledSourcesPresent(net, modules));
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
