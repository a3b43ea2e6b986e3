using System.Text.Json;

namespace PortExporter.Tests.Support;

/// <summary>
/// The exporter as a separate process: <c>$PORT_EXPORTER_BIN</c> (the published binary the test command builds),
/// else the host assembly copied next to the tests, run with <c>dotnet</c>.
/// </summary>
public static class ExporterBinary
{
    public static string[] Command(params string[] args)
    {
        var bin = Environment.GetEnvironmentVariable("PORT_EXPORTER_BIN");
        if (!string.IsNullOrEmpty(bin) && File.Exists(bin))
        {
            return [bin, .. args];
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "port-exporter.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("the exporter is neither at $PORT_EXPORTER_BIN nor next to the tests", dll);
        }

        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return [dotnet, dll, .. args];
    }

    /// <summary>One port's diagnosis from <c>diagnose --output json</c> run inside <paramref name="ns"/>.</summary>
    public static JsonElement Diagnose(Netns ns, string config, string service)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var run = ns.ExecAllowFailure(Command("diagnose", "--config.file", config, "--output", "json"));
        using var report = JsonDocument.Parse(run.Stdout);
        return report.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("service").GetString() == service).Clone();
    }
}
