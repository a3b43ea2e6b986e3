using BenchmarkDotNet.Attributes;
using PortExporter.Core;
using PortExporter.Core.Selinux;

namespace PortExporter.Benchmarks;

/// <summary>
/// <see cref="AvcRecordParser"/> over 10k audit records (the fixture log's SYSCALL, AVC, PROCTITLE and other
/// records repeated), with the collector's watched-port filter watching the ports the log denies (so every
/// denial is materialised) among 1,000 others: the cost of catching up on a busy audit log.
/// </summary>
[MemoryDiagnoser]
public class AvcRecordParserBenchmarks
{
    private static readonly int[] DeniedPorts = [53, 80, 2222, 3306, 8081, 8082, 9100];

    private readonly HashSet<PortKey> _watched =
        [.. Enumerable.Range(20_000, 1_000).Concat(DeniedPorts).Select(p => new PortKey(p, TransportProtocol.Tcp))];
    private byte[][] _records = [];
    private Func<PortKey, bool> _isWatched = _ => true;

    [Params(10_000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _records = Fixtures.AuditLines(Records);
        _isWatched = _watched.Contains;
    }

    [Benchmark]
    public int ParseLog()
    {
        var denials = 0;
        foreach (var record in _records)
        {
            if (AvcRecordParser.Parse(record, _isWatched, out _) == AuditLineKind.Denial)
            {
                denials++;
            }
        }

        return denials;
    }
}
