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

    /// <summary>
    /// One port's diagnosis from <c>diagnose --output json</c> run inside <paramref name="ns"/>; with
    /// <paramref name="ownPidNamespace"/>, in a PID namespace of its own (<c>unshare --pid --fork --mount-proc</c>): the
    /// exporter sees none of the machine's other processes, as in a container run without <c>--pid=host</c>.
    /// </summary>
    public static JsonElement Diagnose(Netns ns, string config, string service, bool ownPidNamespace = false)
    {
        ArgumentNullException.ThrowIfNull(ns);
        string[] diagnose = Command("diagnose", "--config.file", config, "--output", "json");
        var run = ns.ExecAllowFailure(ownPidNamespace ? ["unshare", "--pid", "--fork", "--mount-proc", .. diagnose] : diagnose);
        using var report = JsonDocument.Parse(run.Stdout);
        return report.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("service").GetString() == service).Clone();
    }

    /// <summary>What the diagnosis of <paramref name="port"/> observed at its step <paramref name="check"/>.</summary>
    public static string? Observed(JsonElement port, string check) =>
        port.GetProperty("evidence").EnumerateArray().Single(s => s.GetProperty("check").GetString() == check).GetProperty("observed").GetString();
}
