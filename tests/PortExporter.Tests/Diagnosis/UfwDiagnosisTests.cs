using System.Net;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Diagnosis;
using PortExporter.Core.Firewall;
using PortExporter.Firewall;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Ufw;
using PortExporter.Tests.Firewall;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Diagnosis;

/// <summary>
/// A blocked port on a ufw host, on the rulesets a real ufw wrote (Firewall/fixtures/ufw-user-rules, ufw-docker): when
/// ufw made the block, the fix is a ufw command (a rule added with iptables is gone at the next ufw reload); a block
/// of someone else's rule (Docker's DOCKER-USER) keeps the iptables fix.
/// </summary>
public sealed class UfwDiagnosisTests
{
    private static EvidenceSnapshot For(string fixture, PortSpec port) => FixtureEvidence.For(fixture, port);

    private static PortSpec Port(int number) => WebPort with { Port = number, Bind = null };

    [Fact]
    public void Ufw_is_named_as_a_backend_exactly_where_it_is_enabled()
    {
        foreach (var fixture in FirewallFixture.Names)
        {
            var (ruleset, backends) = FirewallFixture.Ruleset(fixture);
            var ufw = fixture.StartsWith("ufw-", StringComparison.Ordinal);
            Assert.True(ufw == UfwRules.Manages(ruleset), fixture);
            Assert.True(ufw == backends.Contains(FirewallBackends.Ufw), fixture);
        }
    }

    [Theory]
    [InlineData("ufw-user-rules", 9000, "ufw allow 9000/tcp (ufw keeps it across ufw reload")]
    [InlineData("ufw-docker", 9000, "ufw allow 9000/tcp (ufw keeps it across ufw reload")]
    [InlineData("ufw-user-rules", 8080, "A ufw rule of the host's own denies it (rule 2: -A ufw-user-input -p tcp -m tcp --dport 8080 -j DROP): find it with ufw status numbered and delete it (ufw delete NUM), or put an allow before it: ufw insert 1 allow 8080/tcp.")]
    [InlineData("ufw-user-rules", 8081, "A ufw rule of the host's own rejects it (rule 3: -A ufw-user-input -p tcp -m tcp --dport 8081 -j REJECT --reject-with tcp-reset)")]
    public void A_block_ufw_made_gets_a_ufw_fix(string fixture, int number, string fix)
    {
        var diagnosis = Diagnoser.Diagnose(Port(number), For(fixture, Port(number)));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains("managed by ufw", diagnosis.Summary, StringComparison.Ordinal);
        Assert.StartsWith(fix, diagnosis.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("iptables -I", diagnosis.Fix, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Steps, s => s.Command == "ufw status verbose; ufw status numbered");
    }

    [Fact]
    public void A_block_in_dockers_chain_on_a_ufw_host_keeps_the_iptables_fix()
    {
        var diagnosis = Diagnoser.Diagnose(Port(8081), For("ufw-docker", Port(8081)));

        Assert.Equal(Cause.FirewallBlocked, diagnosis.Cause);
        Assert.Contains("chain DOCKER-USER", diagnosis.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("managed by ufw", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("iptables -I DOCKER-USER", diagnosis.Fix, StringComparison.Ordinal);
    }
}
