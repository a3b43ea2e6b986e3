using PortExporter.Core.Commands;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Firewall;

/// <summary>The firewall tools of a captured fixture folder, as a <see cref="FakeCommandRunner"/>.</summary>
public static class FixtureCommands
{
    /// <summary>The nft/iptables answers of <paramref name="fixture"/>, and its <c>ipset save</c> where it has sets (else ipset is not installed).</summary>
    public static FakeCommandRunner Runner(string fixture)
    {
        var runner = WithoutIpset(fixture);
        return FirewallFixture.ReadOptional(fixture, "ipset-save.txt") is { } sets ? runner.Answer(AllowedCommand.IpsetSave, sets) : runner;
    }

    /// <summary>The nft/iptables answers of <paramref name="fixture"/> on a host without the ipset tool.</summary>
    public static FakeCommandRunner WithoutIpset(string fixture) => new FakeCommandRunner()
        .Answer(AllowedCommand.NftListRulesetJson, FirewallFixture.Read(fixture, "nft.json"))
        .Answer(AllowedCommand.NftListChains, FirewallFixture.ReadOptional(fixture, "nft-chains.txt") ?? "")
        .Answer(AllowedCommand.IptablesNftSave, FirewallFixture.Read(fixture, "iptables-nft-save.txt"))
        .Answer(AllowedCommand.Ip6tablesNftSave, FirewallFixture.Read(fixture, "ip6tables-nft-save.txt"))
        .Answer(AllowedCommand.IptablesLegacySave, FirewallFixture.Read(fixture, "iptables-legacy-save.txt"))
        .Answer(AllowedCommand.Ip6tablesLegacySave, FirewallFixture.Read(fixture, "ip6tables-legacy-save.txt"));
}
