using System.Globalization;

namespace PortExporter.Web;

/// <summary>
/// How long a request may take: <c>X-Prometheus-Scrape-Timeout-Seconds</c> minus an offset (as blackbox_exporter
/// does), else a default, bounded to [0.5 s, 120 s].
/// </summary>
public static class ScrapeBudget
{
    public static readonly TimeSpan Offset = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(120);

    public static TimeSpan From(string? header)
    {
        if (header is null || !double.TryParse(header, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds <= 0)
        {
            return Default;
        }

        var budget = TimeSpan.FromSeconds(Math.Min(seconds, Max.TotalSeconds)) - Offset;
        return budget < Min ? Min : budget;
    }
}
