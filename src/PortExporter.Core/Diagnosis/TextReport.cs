using System.Text;

namespace PortExporter.Core.Diagnosis;

/// <summary>The report for a terminal: per port the verdict first, then the evidence chain, the command to confirm and the fix.</summary>
public static class TextReport
{
    public static string Render(DiagnosisReport report)
    {
        var text = new StringBuilder();
        foreach (var port in report.Ports)
        {
            text.Append(port.Service).Append(' ').Append(port.Port).Append('/').Append(port.Protocol).Append(": ").AppendLine(port.Cause.ToUpperInvariant());
            text.Append("  ").AppendLine(port.Summary);
            foreach (var step in port.Evidence)
            {
                text.Append("  [").Append(Mark(step.Status)).Append("] ").Append(step.Check.PadRight(22)).Append(' ').AppendLine(step.Observed);
                if (step.Command is { } command && step.Status is "fail" or "missing")
                {
                    text.Append("         confirm: ").AppendLine(command);
                }
            }

            foreach (var source in port.Firewall)
            {
                text.Append("  firewall ").Append(source.Source.PadRight(18)).Append(' ').Append(source.Verdict.PadRight(7)).Append(' ').Append(source.Rule);
                if (source.Connection.Length > 0)
                {
                    text.Append(" (").Append(source.Connection).Append(')');
                }

                text.AppendLine(source.Detail is { } detail ? $"; {detail}" : string.Empty);
            }

            if (port.Fix is { } fix)
            {
                text.Append("  fix: ").AppendLine(fix);
            }

            if (port.Findings.Count > 1)
            {
                text.Append("  also: ").AppendLine(string.Join(", ", port.Findings.Skip(1)));
            }

            Timeline.TimelineText.Append(text, port, report.GeneratedAt);

            text.AppendLine();
        }

        if (report.Ports.Count == 0)
        {
            text.AppendLine("no watched ports");
        }

        foreach (var c in report.Collectors.Where(c => !c.Success))
        {
            text.Append("collector ").Append(c.Collector).Append(" failed: ").AppendLine(c.Error);
        }

        foreach (var name in report.NotCollected)
        {
            text.Append("collector ").Append(name).Append(" disabled: not collected (--no-collector.").Append(name).AppendLine(")");
        }

        Baseline.BaselineText.Append(text, report.Baseline);

        return text.ToString();
    }

    private static string Mark(string status) => status switch
    {
        "pass" => " ok ",
        "fail" => "FAIL",
        "missing" => " ?? ",
        _ => " -- ",
    };
}
