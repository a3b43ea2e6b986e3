using System.Text;

namespace PortExporter.Core.Baseline;

/// <summary>The baseline part of the text report (<c>diagnose</c>) and the drift lines of <c>baseline --check</c>.</summary>
public static class BaselineText
{
    public static void Append(StringBuilder text, BaselineReport? report)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (report is null)
        {
            return;
        }

        if (report.Drift is not { } drift)
        {
            text.Append("baseline ").Append(report.File).Append(": not loaded, drift unknown: ").AppendLine(report.Error);
            return;
        }

        text.Append("baseline ").Append(report.File).Append(": ").AppendLine(drift.Count == 0 ? "no drift" : $"{drift.Count} drift item(s)");
        foreach (var item in drift)
        {
            text.Append("  drift ").Append(item.Kind).Append(": ").AppendLine(Line(item));
        }
    }

    /// <summary>"8080/tcp: outside verdict accept -> drop (rule `...`)", or "host: ..." for a ruleset.</summary>
    public static string Line(DriftReport item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Port is { } port ? $"{port}/{item.Protocol}: {item.Change}" : $"host: {item.Change}";
    }
}
