using System.Diagnostics;
using System.Text;
using Prometheus;

namespace PortExporter.Tests.Probes;

/// <summary>The text exposition of a registry, its sample lines, and <c>promtool check metrics</c> on it.</summary>
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

    /// <summary>Runs <c>promtool check metrics</c> on <paramref name="text"/>; returns its findings (empty when clean).</summary>
    public static async Task<string> LintAsync(string text)
    {
        var info = new ProcessStartInfo("promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = Process.Start(info)!;
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        return promtool.ExitCode == 0 ? output.Trim() : $"promtool exited {promtool.ExitCode}: {output}";
    }
}
