using PortExporter.Firewall;
using PortExporter.Tests.EndToEnd;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Baseline;

/// <summary>
/// The baseline verb and <c>serve --baseline.file</c> on a real namespace: a web service on 0.0.0.0:8080 behind an
/// outside link, then a real change (a DROP rule, a rebind to loopback) and the line that reports it.
/// </summary>
public sealed class BaselineNamespaceTests
{
    // iptables here is iptables-nft, which writes native nft expressions: the exporter reads the rule as nft prints it,
    // in a table it names as iptables-nft's (the rule is iptables's, its fix an iptables command).
    private const string DropRule = "tcp dport 8080 drop";

    [Fact]
    public void Baseline_is_byte_identical_on_an_unchanged_host_and_check_reports_a_drop_rule()
    {
        using var lab = new Lab();
        var first = lab.Baseline("first.yml");
        var second = lab.Baseline("second.yml");
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Contains("process: pe-bl-web", File.ReadAllText(first), StringComparison.Ordinal);

        var same = lab.Check(first);
        Assert.Equal((0, $"{first}: no drift (1 ports)\n"), (same.ExitCode, same.Stdout));

        lab.Ns.Exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        var drift = lab.Check(first);

        Assert.Equal(1, drift.ExitCode);
        Assert.Contains($"8080/tcp: outside verdict accept -> drop (rule `{DropRule}`)\n", drift.Stdout, StringComparison.Ordinal);
        Assert.Contains($"8080/tcp: inside verdict accept -> drop (rule `{DropRule}`)\n", drift.Stdout, StringComparison.Ordinal);
        Assert.Contains("host: ruleset iptables-nft appeared (1 rules, sha256 ", drift.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_reports_a_service_that_rebinds_from_the_wildcard_to_loopback()
    {
        using var lab = new Lab();
        var baseline = lab.Baseline("baseline.yml");

        lab.Web.Kill(entireProcessTree: true);
        lab.Web.WaitForExit();
        lab.StartWeb("127.0.0.1");
        var drift = lab.Check(baseline);

        Assert.Equal(1, drift.ExitCode);
        Assert.Contains("8080/tcp: bind 0.0.0.0 (wildcard) -> 127.0.0.1 (loopback)\n", drift.Stdout, StringComparison.Ordinal);

        // diagnose lists the same drift under the diagnosis.
        var diagnose = lab.Ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--config.file", lab.Config, "--baseline.file", baseline));
        Assert.Contains($"baseline {baseline}: 1 drift item(s)\n  drift bind: 8080/tcp: bind 0.0.0.0 (wildcard) -> 127.0.0.1 (loopback)\n", diagnose.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupted_truncated_newer_or_foreign_baseline_exits_2_with_file_and_line()
    {
        using var lab = new Lab();
        var good = File.ReadAllText(lab.Baseline("good.yml"));
        var lines = good.Split('\n');
        var digestLine = Array.FindIndex(lines, l => l.StartsWith("digest:", StringComparison.Ordinal)) + 1;
        var cases = new (string Name, string Text, string Expected)[]
        {
            ("corrupted.yml", good.Replace("process: pe-bl-web", "process: pe-bl-wex", StringComparison.Ordinal), $":{digestLine}:9: digest: expected sha256:"),
            ("truncated.yml", good[..good.IndexOf("digest:", StringComparison.Ordinal)], "(top level).digest: required key is missing (is the file truncated?)"),
            ("truncated-mid-line.yml", good[..(good.Length / 2)], ":"),
            ("newer.yml", good.Replace("format_version: 2", "format_version: 3", StringComparison.Ordinal), ":2:17: format_version: expected 2 (the format this build reads), got '3'"),
            ("foreign.yml", good.Replace($"host: {lines[2][6..]}", "host: pe-bl-elsewhere", StringComparison.Ordinal), $":3:7: host: expected '{lines[2][6..]}' (this host), the file is for 'pe-bl-elsewhere'"),
        };

        foreach (var (name, text, expected) in cases)
        {
            var file = lab.Dir.File(name, text);
            var result = lab.Check(file);
            Assert.Equal((2, string.Empty), (result.ExitCode, result.Stdout));
            Assert.Matches($"^invalid baseline: {System.Text.RegularExpressions.Regex.Escape(file)}:[0-9]+:[0-9]+: ", result.Stderr);
            Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Serve_keeps_running_with_a_bad_baseline_and_reports_drift_after_a_reload()
    {
        using var lab = new Lab();
        var file = lab.Dir.File("served.yml", "format_version: 2\nhost: [broken\n");
        using var exporter = new RunningExporter(lab.Ns, ["--config.file", lab.Config, "--baseline.file", file]);

        var m = (await exporter.ReadAsync()).Body;
        Assert.Equal(0, Value(m, "port_baseline_load_success"));
        Assert.Empty(Series(m, "port_baseline_drift"));
        var report = (await exporter.ReadAsync("/diagnose?format=json")).Body;
        using (var json = System.Text.Json.JsonDocument.Parse(report))
        {
            var baseline = json.RootElement.GetProperty("baseline");
            Assert.False(baseline.GetProperty("loaded").GetBoolean());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, baseline.GetProperty("drift").ValueKind);
            Assert.StartsWith($"{file}:3:", baseline.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // A good file and SIGHUP: loaded, no drift; then a DROP rule shows as verdict drift on the next scrape.
        File.Copy(lab.Baseline("good.yml"), file, overwrite: true);
        var logged = exporter.Log.Count;
        exporter.Signal(1);
        exporter.WaitForLog("baseline loaded from", logged);
        m = (await exporter.ReadAsync()).Body;
        Assert.Equal(1, Value(m, "port_baseline_load_success"));
        Assert.Empty(Series(m, "port_baseline_drift"));

        lab.Ns.Exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP");
        m = await ScrapeUntilAsync(exporter, "port_baseline_drift");
        Assert.Equal(1, Value(m, "port_baseline_drift", ("service", "web"), ("port", "8080"), ("protocol", "tcp"), ("kind", "verdict")));
        Assert.Equal(1, Value(m, "port_host_baseline_ruleset_drift", ("backend", FirewallBackends.IptablesNft)));
        var html = (await exporter.ReadAsync("/diagnose")).Body;
        Assert.Contains($"outside verdict accept -&gt; drop (rule `{DropRule}`)", html, StringComparison.Ordinal);
        Assert.False(exporter.HasExited);
    }

    /// <summary>
    /// Scrapes until <paramref name="series"/> appears: the scrape that sees the ruleset's generation move starts the
    /// refresh and answers from the snapshot it has, so the change shows on one of the next scrapes.
    /// </summary>
    private static async Task<string> ScrapeUntilAsync(RunningExporter exporter, string series) =>
        (await exporter.ReadUntilAsync(body => Series(body, series).Count > 0, series)).Body;

    /// <summary>The web service lab; the process name is part of the baseline.</summary>
    private sealed class Lab() : WebServiceLab("baseline", 78, "pe-bl-web")
    {
        /// <summary>Writes a baseline of the namespace with the verb and returns its path.</summary>
        public string Baseline(string name)
        {
            var path = System.IO.Path.Combine(Dir.Path, name);
            var result = Ns.ExecAllowFailure(ExporterBinary.Command("baseline", "--config.file", Config, "--output", path));
            Assert.True(result.ExitCode == 0, $"baseline exited {result.ExitCode}: {result.Stderr}");
            return path;
        }

        public Shell.Result Check(string file) => Ns.ExecAllowFailure(ExporterBinary.Command("baseline", "--config.file", Config, "--check", file));
    }
}
