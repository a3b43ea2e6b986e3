using PortExporter.Core.Diagnosis;
using PortExporter.Web;

namespace PortExporter.Tests.Browser;

/// <summary>The HTML report rendered from hand-made reports: findings, missing evidence, failed collectors, encoding.</summary>
public sealed class HtmlReportTests
{
    private const string Hostile = "<script>alert(1)</script> & \"quoted\" 'x' <img src=http://evil.example/x>";

    private static readonly DiagnosisReport Report = new(
        new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Healthy: false,
        [
            new PortReport("web", 443, "tcp", "ok", "web (443/tcp) is reachable.", null, ["ok"], [new StepReport("listening", "pass", "0.0.0.0:443", "ss -tlnp 'sport = :443'")], []),
            new PortReport(
                "api", 8080, "tcp", "firewall_blocked", "api (8080/tcp): the firewall drops it.", "Open the port in nftables.",
                ["firewall_blocked", "selinux_denied"],
                [new StepReport("firewall", "fail", "inet filter input rule 3: drop", "nft list ruleset"), new StepReport("selinux", "fail", "port label " + Hostile, null)],
                []),
            new PortReport("dns", 53, "udp", "unknown", "dns (53/udp): evidence missing.", null, ["unknown"], [new StepReport("firewall", "missing", "no ruleset", null)], ["firewall: " + Hostile]),
        ],
        [new CollectorReport("network", true, 0.0123, null), new CollectorReport("firewall", false, 2.5, Hostile)]);

    [Fact]
    public void Text_from_evidence_and_collectors_is_encoded_never_markup()
    {
        foreach (var html in new[] { HtmlReport.Diagnose(Report), HtmlReport.Landing(Report, "/metrics") })
        {
            var dom = HtmlDom.Parse(html);
            Assert.Empty(dom.QuerySelectorAll("script, img"));
            Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        }

        var diagnose = HtmlDom.Parse(HtmlReport.Diagnose(Report));
        var failed = diagnose.QuerySelectorAll("table.collectors tr.fail").Single();
        Assert.Equal(["firewall", "failed", "2.500", Hostile], failed.Children.Select(c => c.TextContent));
        Assert.Equal(["firewall: " + Hostile], diagnose.ById("udp-53").QuerySelectorAll("ul").Single().Children.Select(li => li.TextContent));
    }

    [Fact]
    public void The_drill_down_shows_the_firewall_verdict_per_source()
    {
        var port = new PortReport("web", 8080, "tcp", "firewall_blocked", "web (8080/tcp) must be reachable from 198.51.100.0/24: dropped.", "Allow it.", ["firewall_blocked"], [], [])
        {
            Firewall =
            [
                new FirewallSourceReport("outside", "drop", "policy drop", "tcp 203.0.113.1 -> 10.77.0.1:8080 on eth0", ["203.0.113.1"]),
                new FirewallSourceReport("198.51.100.0/24", "drop", "handle 4: ip saddr 198.51.100.0/25 accept " + Hostile, "tcp 198.51.100.254 -> 10.77.0.1:8080 on eth0", ["198.51.100.1", "198.51.100.254"]) { Detail = "the rules tell the range apart" },
            ],
        };

        var dom = HtmlDom.Parse(HtmlReport.Diagnose(Report with { Ports = [port] }));

        var rows = dom.ById("tcp-8080").QuerySelectorAll("table.firewall tbody tr");
        Assert.Equal(["outside", "198.51.100.0/24"], rows.Select(r => r.Children[0].TextContent));
        Assert.Equal("handle 4: ip saddr 198.51.100.0/25 accept " + Hostile, rows[1].Children[2].TextContent);
        Assert.Equal("tcp 198.51.100.254 -> 10.77.0.1:8080 on eth0; the rules tell the range apart", rows[1].Children[3].TextContent);
        Assert.Empty(dom.QuerySelectorAll("script, img"));
    }

    [Fact]
    public void A_further_finding_is_shown_beside_the_cause_with_a_warning_that_one_fix_will_not_clear_the_alert()
    {
        var dom = HtmlDom.Parse(HtmlReport.Diagnose(Report));
        var row = dom.ById("row-tcp-8080");
        Assert.Equal(
            [["cause", "firewall_blocked"], ["cause", "selinux_denied"]],
            row.QuerySelectorAll("span.cause").Select(s => s.Classes()));

        var section = dom.ById("tcp-8080");
        var findings = section.QuerySelectorAll("p.findings").Single();
        Assert.Equal("selinux_denied", findings.QuerySelectorAll("span").Single().TextContent);
        Assert.Contains("will not clear the alert", findings.TextContent, StringComparison.Ordinal);
        Assert.Contains("hypothesis A: firewall blocks", section.TextContent, StringComparison.Ordinal);
        Assert.Equal("Fix: Open the port in nftables.", section.QuerySelectorAll("p.fix").Single().TextContent);
    }

    [Fact]
    public void Landing_table_gives_the_fix_for_a_port_that_is_not_ok_and_names_missing_evidence_when_there_is_none()
    {
        var rows = HtmlDom.Parse(HtmlReport.Landing(Report, "/metrics")).ById("ports").BodyRows();

        Assert.Equal(string.Empty, rows[0].Children[^1].TextContent);
        Assert.Equal("Open the port in nftables.", rows[1].Children[^1].TextContent);
        Assert.Equal("missing evidence: firewall: " + Hostile, rows[2].Children[^1].TextContent);
        Assert.Equal(["/diagnose#tcp-443", "/diagnose#tcp-8080", "/diagnose#udp-53"], rows.Select(r => r.QuerySelector("a")!.GetAttribute("href")));
    }

    [Fact]
    public void Banner_counts_ports_that_are_not_ok_and_names_failed_collectors()
    {
        var banners = HtmlDom.Parse(HtmlReport.Landing(Report, "/metrics")).QuerySelectorAll("p.banner");

        Assert.StartsWith("2 of 3 watched ports not ok: api firewall_blocked, dns unknown", banners[0].TextContent, StringComparison.Ordinal);
        Assert.StartsWith("Collectors failed: firewall.", banners[1].TextContent, StringComparison.Ordinal);

        var healthy = Report with { Healthy = true, Ports = [Report.Ports[0]], Collectors = [Report.Collectors[0]] };
        Assert.Equal(["All 1 watched ports are ok."], HtmlDom.Parse(HtmlReport.Landing(healthy, "/metrics")).QuerySelectorAll("p.banner").Select(p => p.TextContent));
        var none = Report with { Ports = [], Collectors = [] };
        Assert.Contains("no watched ports", HtmlDom.Parse(HtmlReport.Diagnose(none)).ById("ports").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Cause.Ok, null)]
    [InlineData(Cause.ProcessDown, "B")]
    [InlineData(Cause.NotListening, "B")]
    [InlineData(Cause.LoopbackOnly, "C")]
    [InlineData(Cause.WrongAddress, "C")]
    [InlineData(Cause.FirewallBlocked, "A")]
    [InlineData(Cause.SelinuxDenied, "D")]
    [InlineData(Cause.NatOrUpstream, "E")]
    [InlineData(Cause.Unknown, null)]
    public void Every_cause_has_the_case_hypothesis_and_a_colour_in_the_style_sheet(Cause cause, string? hypothesis)
    {
        var style = CauseLegend.For(cause.ToLabel());
        var css = HtmlDom.Parse(HtmlReport.Landing(null, "/metrics")).QuerySelectorAll("style").Single().TextContent;

        Assert.Equal(cause, style.Cause);
        Assert.Equal(hypothesis, style.Hypothesis);
        Assert.Matches("^#[0-9a-f]{6}$", style.Colour);
        Assert.Contains($".cause.{cause.ToLabel()}{{background:{style.Colour}}}", css, StringComparison.Ordinal);
    }

    [Fact]
    public void Landing_page_without_a_report_still_links_the_endpoints_and_shows_the_legend()
    {
        var dom = HtmlDom.Parse(HtmlReport.Landing(null, "/custom-metrics"));

        Assert.Equal(["/custom-metrics", "/diagnose", "/diagnose?format=json", "/-/healthy", "/-/ready"], dom.QuerySelectorAll("nav").Single().QuerySelectorAll("a").Select(a => a.GetAttribute("href")));
        Assert.Equal(CauseNames.All.Count, dom.QuerySelectorAll("table.legend").Single().BodyRows().Length);
    }
}
