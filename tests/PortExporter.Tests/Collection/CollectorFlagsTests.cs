using System.Text.Json;
using PortExporter.Cli;
using PortExporter.Core.Collection;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Collection;

public sealed class CollectorFlagsTests
{
    [Fact]
    public void Every_collector_is_enabled_by_default_and_the_last_of_its_two_flags_wins()
    {
        Assert.Empty(Switches().Disabled);
        Assert.Equal([CollectorNames.Selinux], Switches("--no-collector.selinux").Disabled);
        Assert.Empty(Switches("--no-collector.selinux", "--collector.selinux").Disabled);
        Assert.Equal([CollectorNames.Selinux], Switches("--collector.selinux", "--no-collector.selinux").Disabled);
        Assert.Equal([CollectorNames.Firewall, CollectorNames.Probes], Switches("--no-collector.probes", "--no-collector.firewall").Disabled);
    }

    [Fact]
    public void Only_known_collectors_can_be_disabled() =>
        Assert.Throws<ArgumentException>(() => CollectorSwitches.Disabling("nat"));

    [Fact]
    public async Task Diagnose_reports_disabled_collectors_as_not_collected_and_never_runs_them()
    {
        using var dir = new TempDir();
        var file = dir.File("c.yml", "ports:\n  - name: web\n    port: 8080\n");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        await CommandLine.RunAsync(
            ["diagnose", "--output", "json", "--config.file", file, "--no-collector.firewall", "--no-collector.selinux", "--no-collector.probes"], stdout, stderr);

        using var json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(
            [CollectorNames.Firewall, CollectorNames.Selinux, CollectorNames.Probes],
            json.RootElement.GetProperty("not_collected").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            [CollectorNames.Network, CollectorNames.Sockets, CollectorNames.Processes],
            json.RootElement.GetProperty("collectors").EnumerateArray().Select(e => e.GetProperty("collector").GetString()));
        var missing = json.RootElement.GetProperty("ports")[0].GetProperty("missing").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(missing, m => m.EndsWith("firewall evidence not collected (--no-collector.firewall)", StringComparison.Ordinal));
    }

    private static CollectorSwitches Switches(params string[] args)
    {
        var common = new CommonOptions();
        var root = new System.CommandLine.RootCommand();
        common.AddTo(root);
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        return common.Collectors.Read(parse);
    }
}
