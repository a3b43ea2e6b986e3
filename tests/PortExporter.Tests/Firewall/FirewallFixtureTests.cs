using PortExporter.Core.Firewall;
using PortExporter.Firewall.Evaluation;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// The evaluator on the captured dumps: for every port of every fixture, the verdicts must be the ones the real
/// kernel gave in the namespace the dump was captured from (recorded in cases.txt and re-checked live by
/// <see cref="FirewallGroundTruthTests"/>).
/// </summary>
public sealed class FirewallFixtureTests
{
    public static IEnumerable<object[]> Cases() => FirewallFixture.AllCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Captured_dump_gives_the_real_verdicts(string fixture, string protocol, int port, string bind)
    {
        var c = FirewallFixture.Case(fixture, protocol, port, bind);
        var (ruleset, _) = FirewallFixture.Ruleset(fixture);
        var (outside, inside) = FirewallFixture.Evaluate(new FirewallEvaluator(ruleset), c, FirewallFixture.Network(fixture));

        Assert.True(c.Outside == outside.Decision.Verdict, $"{c} outside: expected {c.Outside}, got {outside.Decision} {outside.Decision.Detail}");
        Assert.True(c.Inside == inside.Decision.Verdict, $"{c} inside: expected {c.Inside}, got {inside.Decision} {inside.Decision.Detail}");
    }

    [Fact]
    public void Every_fixture_folder_has_its_dumps_and_a_readme()
    {
        foreach (var name in FirewallFixture.Names)
        {
            foreach (var file in (string[])["README.md", "setup.sh", "nft.json", "iptables-nft-save.txt", "ip6tables-nft-save.txt", "iptables-legacy-save.txt", "ip6tables-legacy-save.txt"])
            {
                Assert.True(File.Exists(Path.Combine(FirewallFixture.Root, name, file)), $"{name}/{file} is missing");
            }
        }
    }
}
