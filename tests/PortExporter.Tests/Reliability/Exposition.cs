using System.Text.RegularExpressions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Reliability;

/// <summary>Checks on a whole /metrics answer.</summary>
public static partial class Exposition
{
    /// <summary>The collectors every host runs (the firewall collector, where wired, is checked too when present).</summary>
    public static readonly string[] Collectors = ["network", "sockets", "processes", "selinux", "probes"];

    /// <summary>
    /// Fails unless <paramref name="body"/> is a whole text exposition: every line a comment or a sample, ending in a
    /// newline, with the exporter's own families (written last in a collection) present.
    /// </summary>
    public static void AssertComplete(string body)
    {
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(line.StartsWith('#') || Sample().IsMatch(line), $"not an exposition line: {line}");
        }

        foreach (var family in (string[])["port_exporter_collector_success", "port_exporter_collections_total", "port_exporter_config_last_reload_successful", "port_exporter_build_info"])
        {
            Assert.Contains($"\n{family}", body, StringComparison.Ordinal);
        }
    }

    /// <summary>port_exporter_collector_success of <paramref name="collector"/>.</summary>
    public static double? Success(string body, string collector) => Value(body, "port_exporter_collector_success", ("collector", collector));

    /// <summary>Fails unless every collector in the answer but <paramref name="except"/> reports success.</summary>
    public static void AssertOthersSucceeded(string body, params string[] except)
    {
        foreach (var collector in Checked(body, except))
        {
            Assert.True(Success(body, collector) == 1, $"collector {collector} did not succeed:\n{string.Join('\n', Series(body, "port_exporter_collector_success"))}");
        }
    }

    /// <summary>Whether every collector in the answer but <paramref name="except"/> reports success.</summary>
    public static bool OthersSucceeded(string body, params string[] except) => Checked(body, except).All(c => Success(body, c) == 1);

    private static IEnumerable<string> Checked(string body, string[] except)
    {
        var present = Series(body, "port_exporter_collector_success")
            .Select(s => s[(s.IndexOf("collector=\"", StringComparison.Ordinal) + 11)..])
            .Select(s => s[..s.IndexOf('"', StringComparison.Ordinal)]);
        return Collectors.Union(present).Except(except);
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*\})? -?([0-9.eE+-]+|NaN|\+Inf|-Inf)( [0-9]+)?$")]
    private static partial Regex Sample();
}
