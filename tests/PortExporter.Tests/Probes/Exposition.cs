using System.Text;
using Prometheus;

namespace PortExporter.Tests.Probes;

/// <summary>The text exposition of a registry, and its sample lines, for assertions.</summary>
internal static class Exposition
{
    public static async Task<string> TextAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string[] Samples(string text, string metric) =>
        [.. text.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))];
}
