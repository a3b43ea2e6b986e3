using System.Globalization;
using System.Net;
using System.Text;
using PortExporter.Core.Diagnosis;

namespace PortExporter.Web;

/// <summary>
/// Server-rendered HTML for people: the landing page's table of ports and causes, and a drill-down per port
/// with the evidence chain, the fix and the further findings. No scripts and no external assets (a
/// Content-Security-Policy of <c>default-src 'none'</c> makes the browser enforce it): it works where there is
/// no internet. Everything shown is HTML-encoded; nothing read from a probed service is ever included.
/// </summary>
public static class HtmlReport
{
    /// <summary>The policy the pages carry: inline styles only, nothing loaded, no scripts, no forms.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    private static readonly string StyleSheet = BuildStyleSheet();

    /// <summary>
    /// The landing page: links to the endpoints, the table of ports of <paramref name="report"/> (the latest collection,
    /// when there is one: the page never collects) and the legend. <paramref name="linkDiagnosis"/> is false when
    /// <c>/diagnose</c> is served on another address.
    /// </summary>
    public static string Landing(DiagnosisReport? report, string telemetryPath, bool linkDiagnosis = true)
    {
        var html = Begin("PortExporter");
        html.Append("<h1>PortExporter</h1><p>Why a service port cannot be reached from outside.</p><nav><ul>");
        html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{Enc(telemetryPath)}\">Metrics</a></li>");
        if (linkDiagnosis)
        {
            html.Append("<li><a href=\"/diagnose\">Diagnosis</a> (<a href=\"/diagnose?format=json\">JSON</a>)</li>");
        }

        html.Append("<li><a href=\"/-/healthy\">Health</a></li><li><a href=\"/-/ready\">Readiness</a></li></ul></nav>");
        if (report is not null)
        {
            Banner(html, report);
            PortTable(html, report);
        }

        Legend(html);
        return End(html);
    }

    /// <summary>The diagnosis: the table of ports, then per port the verdict, evidence chain, fix and findings.</summary>
    public static string Diagnose(DiagnosisReport report)
    {
        var html = Begin("PortExporter diagnosis");
        html.Append("<h1>Diagnosis</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Collected {Enc(report.GeneratedAt.ToString("u", CultureInfo.InvariantCulture))}. <a href=\"/\">Home</a> · <a href=\"/diagnose?format=json\">JSON</a></p>");
        Banner(html, report);
        PortTable(html, report);
        foreach (var port in report.Ports)
        {
            DrillDown(html, port);
        }

        BaselineDrift(html, report.Baseline);
        Collectors(html, report);
        Legend(html);
        return End(html);
    }

    /// <summary>The id of a port's drill-down section on <c>/diagnose</c> (ports are unique per protocol).</summary>
    public static string Anchor(PortReport port) => string.Create(CultureInfo.InvariantCulture, $"{port.Protocol}-{port.Port}");

    private static void Banner(StringBuilder html, DiagnosisReport report)
    {
        var bad = report.Ports.Where(p => p.Cause != Cause.Ok.ToLabel()).ToList();
        if (report.Ports.Count == 0)
        {
            html.Append("<p class=\"banner\">No watched ports.</p>");
        }
        else if (bad.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"banner healthy\">All {report.Ports.Count} watched ports are ok.</p>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"banner unhealthy\">{bad.Count} of {report.Ports.Count} watched ports not ok: ");
            html.AppendJoin(", ", bad.Select(p => $"<a href=\"/diagnose#{Enc(Anchor(p))}\">{Enc(p.Service)}</a> {Badge(p.Cause)}"));
            html.Append(".</p>");
        }

        var failed = report.Collectors.Where(c => !c.Success).Select(c => c.Collector).ToList();
        if (failed.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"banner degraded\">Collectors failed: {Enc(string.Join(", ", failed))}. Causes that need their evidence read <span class=\"cause unknown\">unknown</span>; see <a href=\"/diagnose#collectors\">collectors</a>.</p>");
        }
    }

    /// <summary>The drift from the baseline file, when one is configured: one row per drifted port and kind.</summary>
    private static void BaselineDrift(StringBuilder html, Core.Baseline.BaselineReport? baseline)
    {
        if (baseline is null)
        {
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<section id=\"baseline\"><h2>Drift from the baseline</h2><p>Baseline file <code>{Enc(baseline.File)}</code>: ");
        if (baseline.Drift is not { } drift)
        {
            html.Append(CultureInfo.InvariantCulture, $"not loaded, drift unknown: {Enc(baseline.Error ?? string.Empty)}</p></section>");
            return;
        }

        html.Append(drift.Count == 0 ? "no drift.</p>" : "</p><table class=\"drift\"><thead><tr><th>service</th><th>port</th><th>kind</th><th>change</th></tr></thead><tbody>");
        foreach (var item in drift)
        {
            var port = item.Port is { } number ? $"{number}/{item.Protocol}" : "host";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Enc(item.Service)}</td><td>{Enc(port)}</td><td>{Enc(item.Kind)}</td><td>{Enc(item.Change)}</td></tr>");
        }

        html.Append(drift.Count == 0 ? "</section>" : "</tbody></table></section>");
    }

    private static void PortTable(StringBuilder html, DiagnosisReport report)
    {
        html.Append("<table id=\"ports\"><thead><tr><th>service</th><th>port</th><th>cause</th><th>hypothesis</th><th>summary</th><th>fix</th></tr></thead><tbody>");
        foreach (var port in report.Ports)
        {
            var anchor = Enc(Anchor(port));
            html.Append(CultureInfo.InvariantCulture, $"<tr id=\"row-{anchor}\"><td><a href=\"/diagnose#{anchor}\">{Enc(port.Service)}</a></td>");
            html.Append(CultureInfo.InvariantCulture, $"<td>{port.Port}/{Enc(port.Protocol)}</td><td class=\"cause-cell\">{Badge(port.Cause)}");
            foreach (var also in port.Findings.Skip(1))
            {
                html.Append(CultureInfo.InvariantCulture, $" <span class=\"also\">+</span> {Badge(also)}");
            }

            html.Append(CultureInfo.InvariantCulture, $"</td><td>{Hypothesis(port.Cause)}</td><td>{Enc(port.Summary)}</td><td>{FixOrMissing(port)}</td></tr>");
        }

        if (report.Ports.Count == 0)
        {
            html.Append("<tr><td colspan=\"6\">no watched ports</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void DrillDown(StringBuilder html, PortReport port)
    {
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"port\" id=\"{Enc(Anchor(port))}\">");
        html.Append(CultureInfo.InvariantCulture, $"<h2>{Enc(port.Service)} {port.Port}/{Enc(port.Protocol)} {Badge(port.Cause)}</h2>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"summary\">{Enc(port.Summary)}</p>");
        if (CauseLegend.For(port.Cause) is { Hypothesis: { } letter, HypothesisTitle: { } title })
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>The case's hypothesis <b>{Enc(letter)}</b>: {Enc(title)}.</p>");
        }

        html.Append("<table class=\"evidence\"><thead><tr><th>check</th><th>result</th><th>seen</th><th>confirm with</th></tr></thead><tbody>");
        foreach (var step in port.Evidence)
        {
            var command = step.Command is null ? string.Empty : $"<code>{Enc(step.Command)}</code>";
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"step {Enc(step.Status)}\"><td>{Enc(step.Check)}</td><td class=\"status\">{Enc(step.Status)}</td><td>{Enc(step.Observed)}</td><td>{command}</td></tr>");
        }

        html.Append("</tbody></table>");
        if (port.Firewall.Count > 0)
        {
            html.Append("<table class=\"firewall\"><thead><tr><th>firewall, from</th><th>verdict</th><th>deciding rule</th><th>simulated</th></tr></thead><tbody>");
            foreach (var source in port.Firewall)
            {
                var simulated = source.Detail is { } detail ? $"{source.Connection}; {detail}" : source.Connection;
                html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{Enc(source.Verdict)}\"><td>{Enc(source.Source)}</td><td>{Enc(source.Verdict)}</td><td>{Enc(source.Rule)}</td><td>{Enc(simulated)}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        if (port.Fix is { } fix)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"fix\"><b>Fix:</b> {Enc(fix)}</p>");
        }

        if (port.Findings.Count > 1)
        {
            html.Append("<p class=\"findings\"><b>Also holds:</b> ");
            html.AppendJoin(" ", port.Findings.Skip(1).Select(Badge));
            html.Append(". Fixing the cause above will not clear the alert while these hold.</p>");
        }

        WhatChanged(html, port);

        if (port.Missing.Count > 0)
        {
            html.Append("<p class=\"missing-evidence\"><b>Missing evidence:</b></p><ul class=\"missing-evidence\">");
            foreach (var missing in port.Missing)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{Enc(missing)}</li>");
            }

            html.Append("</ul>");
        }

        html.Append("<p><a href=\"#ports\">Back to the table</a></p></section>");
    }

    /// <summary>Under a port that is not ok: what changed before it broke, newest first, with how long before.</summary>
    private static void WhatChanged(StringBuilder html, PortReport port)
    {
        if (port.Timeline is not { } timeline || port.Cause == Cause.Ok.ToLabel())
        {
            return;
        }

        html.Append("<div class=\"timeline\"><p><b>What changed before it broke</b>");
        if (timeline.BrokeAt is not { } broke)
        {
            html.Append(CultureInfo.InvariantCulture, $": unknown, not ok since the exporter's first look at {Enc(Utc(timeline.FirstSeen))}.</p></div>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $" (not ok since {Enc(Utc(broke))}):</p>");
        if (timeline.BeforeFailure.Count == 0)
        {
            html.Append("<p>No evidence change seen in the hour before.</p></div>");
            return;
        }

        html.Append("<ul class=\"changes\">");
        foreach (var change in timeline.BeforeFailure)
        {
            var offset = change.SecondsBefore is { } s ? Core.Timeline.ChangeReport.Offset(s) : string.Empty;
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"change {Enc(change.Evidence)}\">{Enc(change.Evidence)} changed at <time>{Enc(Utc(change.At))}</time> ({Enc(offset)}): {Enc(change.Summary)}</li>");
        }

        html.Append("</ul></div>");
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";

    private static void Collectors(StringBuilder html, DiagnosisReport report)
    {
        html.Append("<h2 id=\"collectors\">Collectors</h2><table class=\"collectors\"><thead><tr><th>collector</th><th>result</th><th>seconds</th><th>error</th></tr></thead><tbody>");
        foreach (var c in report.Collectors)
        {
            var result = c.Success ? "pass" : "fail";
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{result}\"><td>{Enc(c.Collector)}</td><td class=\"status\">{(c.Success ? "ok" : "failed")}</td><td>{c.DurationSeconds.ToString("0.000", CultureInfo.InvariantCulture)}</td><td>{Enc(c.Error ?? string.Empty)}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void Legend(StringBuilder html)
    {
        html.Append("<h2 id=\"legend\">Causes</h2><table class=\"legend\"><thead><tr><th>cause</th><th>hypothesis</th><th>meaning</th></tr></thead><tbody>");
        foreach (var style in CauseLegend.All)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Badge(style.Label)}</td><td>{Hypothesis(style.Label)}</td><td>{Enc(style.Meaning)}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static string Badge(string cause) => $"<span class=\"cause {Enc(CauseLegend.For(cause).Label)}\">{Enc(cause)}</span>";

    private static string Hypothesis(string cause) => CauseLegend.For(cause) is { Hypothesis: { } letter, HypothesisTitle: { } title }
        ? $"<b class=\"hypothesis\">{Enc(letter)}</b> {Enc(title)}"
        : string.Empty;

    private static string FixOrMissing(PortReport port) => port switch
    {
        { Fix: { } fix } => Enc(fix),
        { Missing.Count: > 0 } => $"missing evidence: {Enc(string.Join("; ", port.Missing))}",
        _ => string.Empty,
    };

    private static string Enc(string text) => WebUtility.HtmlEncode(text);

    private static string BuildStyleSheet()
    {
        var css = new StringBuilder("""
            body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:110em}
            nav ul{list-style:none;padding:0}nav li{display:inline;margin-right:1em}
            table{border-collapse:collapse;margin:.5em 0 1em}
            td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}
            .cause{font-weight:bold;padding:.1em .4em;border-radius:3px;white-space:nowrap;color:#222}
            .also{color:#666}.hypothesis{font-size:1.1em}
            .banner{padding:.5em .8em;border-radius:4px;border:1px solid #ccc}
            .healthy{border-color:#5a5}.unhealthy{border:2px solid #c33}.degraded{border-color:#c93}
            .step.pass .status{color:#276}.step.fail .status{color:#b00;font-weight:bold}
            .step.missing .status{color:#a60;font-weight:bold}.step.skipped{color:#888}
            .collectors .fail{color:#b00}.fix{font-size:1.05em}
            section.port{border-top:1px solid #ccc;margin-top:1.5em}
            code{background:#f4f4f4;padding:0 .2em}

            """);
        foreach (var style in CauseLegend.All)
        {
            css.Append(CultureInfo.InvariantCulture, $".cause.{style.Label}{{background:{style.Colour}}}");
        }

        return css.ToString();
    }

    private static StringBuilder Begin(string title) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{Enc(ContentSecurityPolicy)}\"><meta name=\"viewport\" content=\"width=device-width\"><title>{Enc(title)}</title><style>{StyleSheet}</style></head><body>");

    private static string End(StringBuilder html) => html.Append("</body></html>").ToString();
}
