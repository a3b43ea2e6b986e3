using BenchmarkDotNet.Attributes;
using PortExporter.Core.Sockets;

namespace PortExporter.Benchmarks;

/// <summary>
/// <see cref="ProcNetSocketParser"/> on a /proc/net/tcp or tcp6 of 10k and 100k rows (the captured table's
/// listeners and established connections repeated): the fallback path's cost per scrape, without the read.
/// </summary>
[MemoryDiagnoser]
public class ProcNetSocketParserBenchmarks
{
    private readonly List<Listener> _listeners = new(32 * 1024);
    private string _text = "";
    private SocketTable _table = SocketTable.Tcp;

    [Params("tcp", "tcp6")]
    public string Table { get; set; } = "tcp";

    [Params(10_000, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _table = Table == "tcp" ? SocketTable.Tcp : SocketTable.Tcp6;
        _text = Fixtures.SocketTable(Fixtures.Text(Table), Rows);
    }

    [Benchmark]
    public int Parse()
    {
        _listeners.Clear();
        using var reader = new StringReader(_text);
        ProcNetSocketParser.Parse(reader, _table, Table, false, _listeners, CancellationToken.None);
        return _listeners.Count;
    }
}
