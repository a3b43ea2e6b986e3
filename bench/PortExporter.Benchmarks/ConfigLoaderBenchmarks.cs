using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using PortExporter.Core.Configuration;

namespace PortExporter.Benchmarks;

/// <summary>
/// <see cref="ConfigLoader"/> on a config of <see cref="Ports"/> watched ports (name, port, process, bind, two
/// external endpoints each) and as many probe targets: start-up and every reload.
/// </summary>
[MemoryDiagnoser]
public class ConfigLoaderBenchmarks
{
    private string _yaml = "";

    [Params(50, 500)]
    public int Ports { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var yaml = new StringBuilder("ports:\n");
        for (var i = 0; i < Ports; i++)
        {
            var port = 20001 + i;
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: svc-{i}\n    port: {port}\n    process: svc-{i % 10}\n    bind: 0.0.0.0\n");
            yaml.Append(CultureInfo.InvariantCulture, $"    external: [\"203.0.113.{(i % 250) + 1}:{port}\", \"198.51.100.{(i % 250) + 1}:443\"]\n");
        }

        yaml.Append("firewall:\n  refresh_interval: 30s\nprobes:\n  enabled: true\n  timeout: 2s\n  concurrency: 32\nprobe_targets:\n");
        for (var i = 0; i < Ports; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: target-{i}\n    address: 203.0.113.{(i % 250) + 1}\n    port: {20001 + i}\n");
        }

        _yaml = yaml.ToString();
    }

    [Benchmark]
    public int Parse() => ConfigLoader.Parse(_yaml, "port-exporter.yml").Ports.Count;
}
