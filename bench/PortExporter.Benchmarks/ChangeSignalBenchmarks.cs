using BenchmarkDotNet.Attributes;
using PortExporter.Core.Firewall.Reading;

namespace PortExporter.Benchmarks;

/// <summary>
/// What the firewall collector's change detection costs each collection, in the network namespace the benchmark runs
/// in (<c>bench/change-signal.sh</c> runs it in one holding the benchmark's 10k-rule ruleset, in nftables and in
/// legacy x_tables): the nf_tables generation id (one netlink request), the legacy tables' shapes (one getsockopt
/// per listed table), whether the signal covers every change (two small /proc reads and a /sys lookup), and the
/// three together as the collector calls them (<see cref="PerCollection"/>).
/// </summary>
[MemoryDiagnoser]
public class ChangeSignalBenchmarks
{
    private readonly NftablesGenerationSignal _nftables = new();
    private readonly LegacyTablesSignal _legacy = new();
    private readonly RulesetChangeSignal _signal = new();

    [Benchmark]
    public ulong? NftablesGeneration() => _nftables.Read();

    [Benchmark]
    public uint? LegacyTables() => _legacy.Read();

    [Benchmark]
    public bool CoversAllChanges() => _nftables.CoversAllChanges();

    [Benchmark(Baseline = true)]
    public (ulong? Token, bool Complete) PerCollection() => (_signal.Read(), _signal.CoversAllChanges());
}
