using System.Globalization;
using System.Net;
using System.Text;
using PortExporter.Core.Diagnosis;

namespace PortExporter.Web;

/// <summary>
/// Server-rendered HTML for people: the landing page's table of ports and causes, and a drill-down per port
/// with the evidence chain. No scripts and no external assets: it works where there is no internet.
/// Everything shown is HTML-encoded; nothing read from a probed service is ever included.
/// </summary>
public static class HtmlReport
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
        .cause{font-weight:bold;padding:.1em .4em;border-radius:3px}
        .ok{background:#c8f7c5}.unknown{background:#ddd}
        .process_down,.not_listening{background:#f7c5c5}.loopback_only,.wrong_address{background:#f7e0c5}
        .firewall_blocked{background:#f5b7b1}.selinux_denied{background:#e8c5f7}.nat_or_upstream{background:#c5d8f7}
        .pass{color:#276}.fail{color:#b00;font-weight:bold}.missing{color:#a60}.skipped{color:#888}
        code{background:#f4f4f4;padding:0 .2em}
        """;

    public static string Landing(DiagnosisReport? report, string telemetryPath)
    {
        var html = Begin("PortExporter");
        html.Append("<h1>PortExporter</h1><p>Why a service port cannot be reached from outside.</p><ul>");
        html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{Enc(telemetryPath)}\">Metrics</a></li>");
        html.Append("<li><a href=\"/diagnose\">Diagnosis</a> (<a href=\"/diagnose?format=json\">JSON</a>)</li>");
        html.Append("<li><a href=\"/-/healthy\">Health</a></li><li><a href=\"/-/ready\">Readiness</a></li></ul>");
        if (report is not null)
        {
            Table(html, report);
        }

        return End(html);
    }

    public static string Diagnose(DiagnosisReport report)
    {
        var html = Begin("PortExporter diagnosis");
        html.Append("<h1>Diagnosis</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Collected {Enc(report.GeneratedAt.ToString("u", CultureInfo.InvariantCulture))}. <a href=\"/\">Home</a></p>");
        Table(html, report);
        foreach (var port in report.Ports)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"{Anchor(port)}\">{Enc(port.Service)} {port.Port}/{Enc(port.Protocol)} <span class=\"cause {Enc(port.Cause)}\">{Enc(port.Cause)}</span></h2>");
            html.Append(CultureInfo.InvariantCulture, $"<p>{Enc(port.Summary)}</p>");
            html.Append("<table><tr><th>check</th><th>result</th><th>seen</th><th>confirm with</th></tr>");
            foreach (var step in port.Evidence)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Enc(step.Check)}</td><td class=\"{Enc(step.Status)}\">{Enc(step.Status)}</td><td>{Enc(step.Observed)}</td><td>{(step.Command is null ? string.Empty : $"<code>{Enc(step.Command)}</code>")}</td></tr>");
            }

            html.Append("</table>");
            if (port.Fix is { } fix)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p><b>Fix:</b> {Enc(fix)}</p>");
            }

            if (port.Findings.Count > 1)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p><b>Also holds:</b> {Enc(string.Join(", ", port.Findings.Skip(1)))}</p>");
            }
        }

        var failed = report.Collectors.Where(c => !c.Success).ToList();
        if (failed.Count > 0)
        {
            html.Append("<h2>Collectors that failed</h2><ul>");
            foreach (var c in failed)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{Enc(c.Collector)}: {Enc(c.Error ?? string.Empty)}</li>");
            }

            html.Append("</ul>");
        }

        return End(html);
    }

    private static void Table(StringBuilder html, DiagnosisReport report)
    {
        html.Append("<table id=\"ports\"><tr><th>service</th><th>port</th><th>protocol</th><th>cause</th><th>summary</th></tr>");
        foreach (var port in report.Ports)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/diagnose#{Anchor(port)}\">{Enc(port.Service)}</a></td><td>{port.Port}</td><td>{Enc(port.Protocol)}</td><td><span class=\"cause {Enc(port.Cause)}\">{Enc(port.Cause)}</span></td><td>{Enc(port.Summary)}</td></tr>");
        }

        if (report.Ports.Count == 0)
        {
            html.Append("<tr><td colspan=\"5\">no watched ports</td></tr>");
        }

        html.Append("</table>");
    }

    private static string Anchor(PortReport port) => $"{port.Protocol}-{port.Port}";

    private static string Enc(string text) => WebUtility.HtmlEncode(text);

    private static StringBuilder Begin(string title) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Enc(title)}</title><style>{Style}</style></head><body>");

    private static string End(StringBuilder html) => html.Append("</body></html>").ToString();
}
