using System.Net;
using PortExporter.Core.Diagnosis;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Diagnosis;

/// <summary>
/// A port dropped by a legacy (x_tables) rule on a host whose nf_tables hold rules too (the ruleset the real tools
/// wrote: Firewall/fixtures/iptables-legacy): both hook input, and plain <c>iptables</c> reaches only the kind the
/// alternatives system points at, usually nft, where an accept leaves the legacy drop in place. The commands name the
/// backend that holds the rule.
/// </summary>
public sealed class IptablesLegacyDiagnosisTests
{
    private const string Fixture = "iptables-legacy";

    [Fact]
    public void A_legacy_rule_beside_nftables_is_confirmed_and_fixed_with_the_legacy_tools()
    {
        var port = WebPort with { Port = 8080, Bind = null };
        var diagnosis = Diagnoser.Diagnose(port, FixtureEvidence.For(Fixture, port));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains("iptables-legacy table filter chain INPUT", diagnosis.Summary, StringComparison.Ordinal);
        Assert.StartsWith("iptables-legacy -I INPUT -p tcp --dport 8080 -j ACCEPT; then save it (iptables-legacy-save > /etc/iptables/rules.v4)", diagnosis.Fix, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Steps, s => s.Command == "iptables-legacy -L INPUT -n -v --line-numbers");
    }

    [Fact]
    public void A_legacy_ip6tables_rule_beside_nftables_names_ip6tables_legacy()
    {
        var port = WebPort with { Port = 8083, Bind = IPAddress.Parse("2001:db8:77::1") };
        var diagnosis = Diagnoser.Diagnose(port, FixtureEvidence.For(Fixture, port, "::"));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.StartsWith("ip6tables-legacy -I INPUT -p tcp --dport 8083 -j ACCEPT; then save it (ip6tables-legacy-save > /etc/iptables/rules.v6)", diagnosis.Fix, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Steps, s => s.Command == "ip6tables-legacy -L INPUT -n -v --line-numbers");
    }
}
