using System.Globalization;
using AngleSharp.Dom;
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
    public async Task Landing_page_shows_every_port_with_its_coloured_cause_hypothesis_fix_and_drill_down_link()
    {
        var dom = await RenderAsync("/");
        var rows = dom.ById("ports").BodyRows();

        Assert.Equal(Expected.Length, rows.Length);
        foreach (var ((service, port, cause, hypothesis), row) in Expected.Zip(rows))
        {
            var cells = row.Children.ToList();
            Assert.Equal(service, cells[0].TextContent);
            Assert.Equal($"/diagnose#tcp-{port}", cells[0].QuerySelectorAll("a").Single().GetAttribute("href"));
            Assert.Equal($"{port}/tcp", cells[1].TextContent);
            var badge = cells[2].QuerySelector("span")!;
            Assert.Equal(["cause", cause], badge.Classes());
            Assert.Equal(cause, badge.TextContent);
            Assert.StartsWith(hypothesis + " ", cells[3].TextContent, StringComparison.Ordinal);
            Assert.Contains(port.ToString(CultureInfo.InvariantCulture), cells[4].TextContent, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(cells[5].TextContent), $"{service}: a port that is not ok shows its fix on the landing page");
        }

        var banner = dom.QuerySelectorAll("p.unhealthy").Single();
        Assert.StartsWith("2 of 2 watched ports not ok", banner.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Legend_maps_every_cause_to_its_colour_class_and_the_case_hypothesis()
    {
        var legend = (await RenderAsync("/")).QuerySelectorAll("table.legend").Single();
        var rows = legend.BodyRows();

        Assert.Equal(CauseNames.All.Select(c => c.ToLabel()), rows.Select(r => r.QuerySelectorAll("span").Single().TextContent));
        foreach (var row in rows)
        {
            var badge = row.QuerySelectorAll("span").Single();
            Assert.Equal(["cause", badge.TextContent], badge.Classes());
        }

        var letters = rows.Select(r => r.Children[1].QuerySelectorAll("b").SingleOrDefault()?.TextContent).OfType<string>().Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["A", "B", "C", "D", "E"], letters);
    }

    [Fact]
    public async Task Every_drill_down_link_lands_on_its_port_with_the_evidence_chain_and_the_fix()
    {
        var landing = await RenderAsync("/");
        var diagnose = await RenderAsync("/diagnose");
        var links = landing.ById("ports").QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();

        Assert.Equal(Expected.Select(e => $"/diagnose#tcp-{e.Port}"), links);
        foreach (var (service, port, cause, _) in Expected)
        {
            var section = diagnose.ById($"tcp-{port}");
            Assert.Equal("section", section.LocalName);
            var heading = section.QuerySelectorAll("h2").Single();
            Assert.StartsWith($"{service} {port}/tcp", heading.TextContent, StringComparison.Ordinal);
            Assert.Equal(["cause", cause], heading.QuerySelectorAll("span").Single().Classes());

            var steps = section.QuerySelectorAll("table.evidence").Single().BodyRows();
            Assert.NotEmpty(steps);
            Assert.All(steps, s => Assert.Single(s.Classes(), c => c is "pass" or "fail" or "missing" or "skipped"));
            Assert.Contains(steps, s => s.ClassList.Contains("fail"));
            Assert.Contains(steps, s => s.QuerySelector("code") is not null);
            Assert.StartsWith("Fix:", section.QuerySelectorAll("p.fix").Single().TextContent, StringComparison.Ordinal);
            Assert.Equal("#ports", section.QuerySelectorAll("a")[^1].GetAttribute("href"));
        }

        Assert.Equal("table", diagnose.ById("ports").LocalName);
        Assert.Equal("h2", diagnose.ById("collectors").LocalName);
        Assert.NotEmpty(diagnose.QuerySelectorAll("table.collectors").Single().BodyRows());
    }

    [Fact]
    public async Task Pages_load_nothing_but_the_exporter_itself()
    {
        var origin = host.BaseAddress.GetLeftPart(UriPartial.Authority);
        foreach (var path in new[] { "/", "/diagnose" })
        {
            var page = await host.RenderAsync(path);
            var dom = page.Dom;

            Assert.Empty(dom.QuerySelectorAll("script, img, link, iframe, object, embed, form, base"));
            foreach (var element in dom.All)
            {
                foreach (var attribute in element.Attributes)
                {
                    Assert.False(attribute.Name.StartsWith("on", StringComparison.Ordinal), $"{path}: event handler {attribute.Name} on <{element.LocalName}>");
                    if (attribute.Name is "href" or "src" or "action")
                    {
                        var value = attribute.Value;
                        Assert.True(value.StartsWith('/') || value.StartsWith('#') || value.StartsWith(origin, StringComparison.Ordinal), $"{path}: <{element.LocalName} {attribute.Name}=\"{value}\"> leaves the exporter");
                    }
                }
            }

            var policy = dom.QuerySelectorAll("meta[http-equiv='Content-Security-Policy']").Single();
            Assert.StartsWith("default-src 'none'", policy.GetAttribute("content"), StringComparison.Ordinal);
            var style = dom.QuerySelectorAll("style").Single().TextContent;
            Assert.DoesNotContain("url(", style, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("@import", style, StringComparison.OrdinalIgnoreCase);

            // Every request the page made, failed ones included: the page itself and nothing from anywhere else.
            var document = Assert.Single(page.Requests, r => r.IsNavigation);
            Assert.Equal(host.Url(path), document.Url);
            Assert.Equal("document", document.ResourceType);
            Assert.All(page.Requests, r => Assert.Equal(origin, r.Url.GetLeftPart(UriPartial.Authority)));
            Assert.All(page.Requests, r => Assert.Null(r.Failure));
            output.WriteLine($"{path}: requests: {string.Join(", ", page.Requests.Select(r => $"{r.ResourceType} {r.Url}"))}");
        }
    }

    [Fact]
    public async Task Screenshots_are_kept_and_show_each_cause_badge_in_its_colour_in_the_first_viewport()
    {
        var dir = DiagnosisPageHost.ScreenshotDirectory();
        foreach (var (name, path) in new[] { ("landing.png", "/"), ("diagnose.png", "/diagnose") })
        {
            var file = Path.Combine(dir, name);
            File.Delete(file);
            var badges = await host.WithPageAsync(path, async (page, _) =>
            {
                await page.ScreenshotAsync(new() { Path = file });
                var found = new List<(string Cause, string Colour, Microsoft.Playwright.LocatorBoundingBoxResult? Box)>();
                foreach (var (_, _, cause, _) in Expected)
                {
                    // The first badge of each cause in document order: the ports table, at the top of both pages.
                    var badge = page.Locator($"span.cause.{cause}").First;
                    found.Add((cause, await badge.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"), await badge.BoundingBoxAsync()));
                }

                return found;
            });

            output.WriteLine($"screenshot of {path}: {file} ({new FileInfo(file).Length} bytes)");
            Assert.True(new FileInfo(file).Length > 0, $"{name} is empty");
            foreach (var (cause, colour, box) in badges)
            {
                Assert.Equal(Rgb(CauseLegend.For(cause).Colour), colour);
                Assert.NotNull(box);
                Assert.True(box.Width > 0 && box.Height > 0, $"{name}: the {cause} badge has no size");
                Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= SystemChromium.Viewport.Width && box.Y + box.Height <= SystemChromium.Viewport.Height, $"{name}: the {cause} badge at ({box.X}, {box.Y}) is outside the {SystemChromium.Viewport.Width}x{SystemChromium.Viewport.Height} screenshot");
            }
        }
    }

    /// <summary><c>#rrggbb</c> as CSS computes it: <c>rgb(r, g, b)</c>.</summary>
    private static string Rgb(string hex)
    {
        var value = int.Parse(hex.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return $"rgb({value >> 16}, {(value >> 8) & 0xff}, {value & 0xff})";
    }

    private async Task<IDocument> RenderAsync(string path) => (await host.RenderAsync(path)).Dom;
}
