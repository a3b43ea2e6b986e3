using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Cli;
using PortExporter.Core;
using PortExporter.Core.Baseline;
using PortExporter.Core.Collection;
using PortExporter.Core.Metrics;
using PortExporter.Tests.Diagnosis;
using PortExporter.Tests.Support;
using Prometheus;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Baseline;

/// <summary>The verb's usage errors (no collection runs for them) and the metrics of a loaded or broken baseline.</summary>
public sealed class BaselineCommandLineTests
{
    [Fact]
    public async Task Output_and_check_together_are_a_usage_error()
    {
        var (exit, stdout, stderr) = await Run("baseline", "--output", "/tmp/a.yml", "--check", "/tmp/b.yml");

        Assert.Equal((ExitCodes.Usage, string.Empty), (exit, stdout));
        Assert.Contains("baseline: --output and --check exclude each other", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_baseline_file_is_a_usage_error_naming_it()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir.Path, "missing.yml");

        var (exit, stdout, stderr) = await Run("baseline", "--check", missing);

        Assert.Equal((ExitCodes.Usage, string.Empty), (exit, stdout));
        Assert.StartsWith($"invalid baseline: {missing}: cannot read: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_show_drift_per_port_and_kind_with_the_baseline_service_for_a_gone_port()
    {
        using var dir = new TempDir();
        var host = HostName.Read(HostPaths.Default);
        var evidence = EvidenceFactory.Healthy();
        var live = BaselineBuilder.Build(evidence, host);
        var gone = live.Ports[0] with { Key = new PortKey(5432, TransportProtocol.Tcp), Service = "db" };
        var was = live with { Ports = [gone, live.Ports[0] with { Listeners = [new ListenerSurface("127.0.0.1", "loopback", "nginx")] }] };
        var file = dir.File("baseline.yml", BaselineWriter.Write(was));
        var source = new BaselineSource(file, HostPaths.Default, TimeProvider.System, NullLogger<BaselineSource>.Instance);
        var registry = Metrics.NewCustomRegistry();
        var metrics = new BaselineMetrics(Metrics.WithCustomRegistry(registry), source);

        metrics.Write(evidence);
        var before = Export(registry);
        Assert.Null(source.Load());
        metrics.Write(evidence);
        var loaded = Export(registry);
        File.WriteAllText(file, "format_version: 2\n");
        Assert.NotNull(source.Load());
        metrics.Write(evidence);
        var broken = Export(registry);

        Assert.Equal(0, Value(before, "port_baseline_load_success"));
        Assert.Equal(1, Value(loaded, "port_baseline_load_success"));
        Assert.Equal(1, Value(loaded, "port_baseline_drift", ("service", "web"), ("port", "8080"), ("kind", "bind")));
        Assert.Equal(1, Value(loaded, "port_baseline_drift", ("service", "db"), ("port", "5432"), ("kind", "gone_port")));
        Assert.Equal(2, Series(loaded, "port_baseline_drift").Count);
        Assert.Equal(0, Value(broken, "port_baseline_load_success"));
        Assert.Empty(Series(broken, "port_baseline_drift"));
    }

    [Fact]
    public void Without_a_baseline_file_there_are_no_baseline_metrics()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new BaselineMetrics(Metrics.WithCustomRegistry(registry), new BaselineSource(null, HostPaths.Default, TimeProvider.System, NullLogger<BaselineSource>.Instance));

        metrics.Write(EvidenceFactory.Healthy());

        Assert.DoesNotContain("baseline", Export(registry), StringComparison.Ordinal);
    }

    private static string Export(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
