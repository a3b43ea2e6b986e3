using System.Globalization;
using PortExporter.Core.Diagnosis;
using PortExporter.Web;
using Xunit.Abstractions;

namespace PortExporter.Tests.Browser;

/// <summary>The landing page and <c>/diagnose</c> as headless Chromium renders them, with screenshots kept in the test output.</summary>
public sealed class DiagnosisPageBrowserTests(DiagnosisPageHost host, ITestOutputHelper output) : IClassFixture<DiagnosisPageHost>
{
    private (string Service, int Port, string Cause, string Hypothesis)[] Expected =>
    [
        ("billing", host.BillingPort, "not_listening", "B"),
        ("ledger", host.LedgerPort, "loopback_only", "C"),
    ];

    [Fact]
    public void Landing_page_shows_every_port_with_its_coloured_cause_hypothesis_fix_and_drill_down_link()
    {
        var dom = Render("/");
        var rows = dom.ById("ports").Descendants("tbody").Single().Elements.ToList();

        Assert.Equal(Expected.Length, rows.Count);
        foreach (var ((service, port, cause, hypothesis), row) in Expected.Zip(rows))
        {
            var cells = row.Elements.ToList();
            Assert.Equal(service, cells[0].Text);
            Assert.Equal($"/diagnose#tcp-{port}", cells[0].Descendants("a").Single().Attributes["href"]);
            Assert.Equal($"{port}/tcp", cells[1].Text);
            var badge = cells[2].Descendants("span").First();
            Assert.Equal(["cause", cause], badge.Classes);
            Assert.Equal(cause, badge.Text);
            Assert.StartsWith(hypothesis + " ", cells[3].Text, StringComparison.Ordinal);
            Assert.Contains(port.ToString(CultureInfo.InvariantCulture), cells[4].Text, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(cells[5].Text), $"{service}: a port that is not ok shows its fix on the landing page");
        }

        var banner = dom.Descendants("p").Single(p => p.HasClass("unhealthy"));
        Assert.StartsWith("2 of 2 watched ports not ok", banner.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Legend_maps_every_cause_to_its_colour_class_and_the_case_hypothesis()
    {
        var legend = Render("/").Descendants("table").Single(t => t.HasClass("legend"));
        var rows = legend.Descendants("tbody").Single().Elements.ToList();

        Assert.Equal(CauseNames.All.Select(c => c.ToLabel()), rows.Select(r => r.Descendants("span").Single().Text));
        foreach (var row in rows)
        {
            var badge = row.Descendants("span").Single();
            Assert.Equal(["cause", badge.Text], badge.Classes);
        }

        var letters = rows.Select(r => r.Elements.ElementAt(1).Descendants("b").SingleOrDefault()?.Text).OfType<string>().Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["A", "B", "C", "D", "E"], letters);
    }

    [Fact]
    public void Every_drill_down_link_lands_on_its_port_with_the_evidence_chain_and_the_fix()
    {
        var landing = Render("/");
        var diagnose = Render("/diagnose");
        var links = landing.ById("ports").Descendants("a").Select(a => a.Attributes["href"]).ToList();

        Assert.Equal(Expected.Select(e => $"/diagnose#tcp-{e.Port}"), links);
        foreach (var (service, port, cause, _) in Expected)
        {
            var section = diagnose.ById($"tcp-{port}");
            Assert.Equal("section", section.Name);
            var heading = section.Descendants("h2").Single();
            Assert.StartsWith($"{service} {port}/tcp", heading.Text, StringComparison.Ordinal);
            Assert.Equal(["cause", cause], heading.Descendants("span").Single().Classes);

            var steps = section.Descendants("table").Single(t => t.HasClass("evidence")).Descendants("tbody").Single().Elements.ToList();
            Assert.NotEmpty(steps);
            Assert.All(steps, s => Assert.Single(s.Classes, c => c is "pass" or "fail" or "missing" or "skipped"));
            Assert.Contains(steps, s => s.HasClass("fail"));
            Assert.Contains(steps, s => s.Descendants("code").Any());
            Assert.StartsWith("Fix:", section.Descendants("p").Single(p => p.HasClass("fix")).Text, StringComparison.Ordinal);
            Assert.Equal("#ports", section.Descendants("a").Last().Attributes["href"]);
        }

        Assert.Equal("table", diagnose.ById("ports").Name);
        Assert.Equal("h2", diagnose.ById("collectors").Name);
        Assert.NotEmpty(diagnose.Descendants("table").Single(t => t.HasClass("collectors")).Descendants("tbody").Single().Elements);
    }

    [Fact]
    public void Pages_load_nothing_but_the_exporter_and_the_browser_connects_only_to_loopback()
    {
        var origin = host.BaseAddress.GetLeftPart(UriPartial.Authority);
        foreach (var path in new[] { "/", "/diagnose" })
        {
            var run = host.Dom(path);
            var dom = RenderedDom.Parse(run.Stdout);

            Assert.DoesNotContain(dom.Descendants(), e => e.Name is "script" or "img" or "link" or "iframe" or "object" or "embed" or "form" or "base");
            foreach (var (element, name, value) in dom.Descendants().SelectMany(e => e.Attributes.Select(a => (e, a.Key, a.Value))))
            {
                Assert.False(name.StartsWith("on", StringComparison.Ordinal), $"{path}: event handler {name} on {element}");
                if (name is "href" or "src" or "action")
                {
                    Assert.True(value.StartsWith('/') || value.StartsWith('#') || value.StartsWith(origin, StringComparison.Ordinal), $"{path}: {element} leaves the exporter");
                }
            }

            var policy = dom.Descendants("meta").Single(m => m.Attributes.GetValueOrDefault("http-equiv") == "Content-Security-Policy");
            Assert.StartsWith("default-src 'none'", policy.Attributes["content"], StringComparison.Ordinal);
            var style = dom.Descendants("style").Single().Text;
            Assert.DoesNotContain("url(", style, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("@import", style, StringComparison.OrdinalIgnoreCase);

            Assert.NotEmpty(run.NetLog.TcpConnectAttempts);
            Assert.All(run.NetLog.TcpConnectAttempts, address => Assert.Equal($"127.0.0.1:{host.BaseAddress.Port}", address));
            var pageRequests = run.NetLog.Requests.Where(r => r.NetworkIsolationKey.StartsWith("http://127.0.0.1", StringComparison.Ordinal)).ToList();
            Assert.Contains(pageRequests, r => r.RequestType == "main frame" && r.Url == host.Url(path));
            Assert.All(pageRequests, r => Assert.Equal(origin, r.Url.GetLeftPart(UriPartial.Authority)));
            var browserOwn = run.NetLog.Requests.Except(pageRequests).Select(r => r.Url.GetLeftPart(UriPartial.Path)).Distinct();
            output.WriteLine($"{path}: rendered in {run.Elapsed.TotalSeconds:0.0} s; page requests: {string.Join(", ", pageRequests.Select(r => r.Url))}; the browser's own requests, never resolved: {string.Join(", ", browserOwn)}");
        }
    }

    [Fact]
    public void Screenshots_are_1280x900_PNGs_that_show_each_cause_in_its_colour()
    {
        var dir = DiagnosisPageHost.ScreenshotDirectory();
        // One screenshot per page, from the top: Chromium's headless screenshot of a page scrolled to a fragment
        // far down comes out blank (only the first viewport is rastered), so drill-downs are checked in the DOM.
        var shots = new (string Name, string Path, string[] Causes)[]
        {
            ("landing.png", "/", ["not_listening", "loopback_only"]),
            ("diagnose.png", "/diagnose", ["not_listening", "loopback_only"]),
        };

        foreach (var (name, path, causes) in shots)
        {
            var file = Path.Combine(dir, name);
            File.Delete(file);
            var run = HeadlessChromium.Screenshot(host.Url(path), file);
            output.WriteLine($"screenshot of {path}: {file} ({run.Elapsed.TotalSeconds:0.0} s)");

            var bytes = File.ReadAllBytes(file);
            var png = PngImage.Decode(bytes);
            Assert.Equal((1280, 900), (png.Width, png.Height));
            var histogram = png.Histogram();
            var background = histogram.Values.Max();
            Assert.True(histogram.Count > 50, $"{name}: only {histogram.Count} colours: the page did not render");
            Assert.True(background < png.Width * png.Height * 0.97, $"{name}: {background} of {png.Width * png.Height} pixels are one colour");
            foreach (var cause in causes)
            {
                var colour = int.Parse(CauseLegend.For(cause).Colour.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                Assert.True(histogram.GetValueOrDefault(colour) > 500, $"{name}: the {cause} colour {CauseLegend.For(cause).Colour} covers {histogram.GetValueOrDefault(colour)} pixels");
            }
        }
    }

    private DomElement Render(string path) => RenderedDom.Parse(host.Dom(path).Stdout);
}
