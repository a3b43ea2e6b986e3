using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using PortExporter.Core.Metrics;
using PortExporter.Core.Probes;

namespace PortExporter.Benchmarks;

/// <summary>
/// <see cref="ProbeAnswerParser"/> on a remote vantage's <c>/probe</c> answer for <see cref="Targets"/> targets,
/// written by the same <see cref="ProbeMetrics.ForProbeAnswer"/> exposition the endpoint uses (one target in
/// three failed with a timeout).
/// </summary>
[MemoryDiagnoser]
public class ProbeAnswerParserBenchmarks
{
    private string _answer = "";

    [Params(1, 500)]
    public int Targets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = ProbeMetrics.ForProbeAnswer(Prometheus.Metrics.WithCustomRegistry(registry));
        var results = Enumerable.Range(0, Targets).Select(i =>
        {
            var ok = i % 3 != 0;
            var labels = new[] { $"target-{i}", "443", "tcp" };
            var result = new ProbeResult(
                ProbeVantageNames.External,
                string.Create(CultureInfo.InvariantCulture, $"203.0.113.{(i % 250) + 1}:443"),
                ok,
                ok ? ProbeFailureReason.None : ProbeFailureReason.Timeout,
                TimeSpan.FromMilliseconds(ok ? 1.5 + i : 2000));
            return (labels, result);
        }).ToList();
        metrics.WriteResults(results, skipped: 0);
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        _answer = Encoding.UTF8.GetString(stream.ToArray());
    }

    [Benchmark]
    public int Parse() => ProbeAnswerParser.Parse(_answer).Count;
}
