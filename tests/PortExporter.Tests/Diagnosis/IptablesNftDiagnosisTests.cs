using System.Net;
using PortExporter.Core.Diagnosis;
using PortExporter.Firewall;
using PortExporter.Tests.Firewall;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Diagnosis;

/// <summary>
/// A port blocked by a plain rule written with iptables or ip6tables on an iptables-nft host (Debian's default), on the
/// ruleset the real tools wrote (Firewall/fixtures/iptables-nft-plain-rules): nft shows such a rule in full, but it is
/// iptables's, so the fix is an iptables command saved with iptables-save, not an nft rule and /etc/nftables.conf.
/// A native nft table beside it keeps the nft fix.
/// </summary>
public sealed class IptablesNftDiagnosisTests
{
    private const string Fixture = "iptables-nft-plain-rules";

    [Fact]
    public void The_tables_iptables_made_are_named_as_its_backends()
    {
        var (ruleset, backends) = FirewallFixture.Ruleset(Fixture);

        Assert.Equal([FirewallBackends.Nftables, FirewallBackends.IptablesNft, FirewallBackends.Ip6tablesNft], backends);
        Assert.Equal(
            ["ip6tables-nft ip6 filter", "iptables-nft ip filter", "nftables ip mangle"],
            ruleset.Tables.Select(t => t.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_plain_iptables_rule_gets_an_iptables_fix()
    {
        var port = WebPort with { Port = 8080, Bind = null };
        var diagnosis = Diagnoser.Diagnose(port, FixtureEvidence.For(Fixture, port));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains("iptables-nft table filter chain INPUT", diagnosis.Summary, StringComparison.Ordinal);
        Assert.StartsWith("iptables -I INPUT -p tcp --dport 8080 -j ACCEPT; then save it (iptables-save > /etc/iptables/rules.v4)", diagnosis.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("nft", diagnosis.Fix, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Steps, s => s.Command == "iptables -L INPUT -n -v --line-numbers");
    }

    [Fact]
    public void A_plain_ip6tables_rule_gets_an_ip6tables_fix_saved_for_ipv6()
    {
        var port = WebPort with { Port = 8082, Bind = IPAddress.Parse("2001:db8:77::1") };
        var diagnosis = Diagnoser.Diagnose(port, FixtureEvidence.For(Fixture, port, "::"));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains("ip6tables-nft table filter chain INPUT", diagnosis.Summary, StringComparison.Ordinal);
        Assert.StartsWith("ip6tables -I INPUT -p tcp --dport 8082 -j ACCEPT; then save it (ip6tables-save > /etc/iptables/rules.v6)", diagnosis.Fix, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Steps, s => s.Command == "ip6tables -L INPUT -n -v --line-numbers");
    }

    [Fact]
    public void A_native_table_beside_them_keeps_the_nft_fix()
    {
        var port = WebPort with { Port = 8083, Bind = null };
        var diagnosis = Diagnoser.Diagnose(port, FixtureEvidence.For(Fixture, port));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.StartsWith("Allow it before the deciding rule, e.g. nft insert rule ip mangle input tcp dport 8083 accept", diagnosis.Fix, StringComparison.Ordinal);
    }
}
