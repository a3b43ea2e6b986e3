using System.Text;
using Prometheus;

namespace PortExporter.Tests.Sockets;

/// <summary>The text exposition of a registry, and its sample lines for one metric.</summary>
internal static class Scrape
{
    public static string Text(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Sample lines of <paramref name="metric"/>, sorted, e.g. <c>port_listening{service="web",port="80",protocol="tcp"} 1</c>.</summary>
    public static IReadOnlyList<string> Samples(CollectorRegistry registry, string metric) =>
        [.. Text(registry).Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    /// <summary>The HELP line of <paramref name="metric"/>, or null.</summary>
    public static string? Help(CollectorRegistry registry, string metric) =>
        Text(registry).Split('\n').FirstOrDefault(l => l.StartsWith($"# HELP {metric} ", StringComparison.Ordinal));
}
