using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests.Nftables;

/// <summary>
/// What reading a large ruleset allocates. The exporter reads the whole ruleset again on every change, and its
/// resident peak is that refresh's garbage on top of what it holds (the GC runs about once while a refresh of 10k
/// rules allocates, and nothing collects by force afterwards), so the garbage per rule is held to a budget.
/// </summary>
public sealed class NftParseAllocationTests
{
    /// <summary>
    /// Bytes a rule of the benchmark's ruleset may allocate while it is parsed, compiled and given its text (about
    /// 1,270 now; 2,430 before the compiler's garbage was cut, 3,600 when the text was a string per statement; its
    /// share of the snapshot is about 400).
    /// </summary>
    private const long BudgetPerRule = 1_700;

    [Fact]
    public void The_benchmarks_ruleset_parses_within_its_allocation_budget()
    {
        var dump = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "allocation", "bench-1k", "nft.json"));
        var warm = NftJsonParser.Parse(dump);
        var rules = warm.Tables.Sum(t => t.Chains.Values.Sum(c => c.Rules.Count));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ruleset = NftJsonParser.Parse(dump);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1_000, rules);
        Assert.Equal(rules, ruleset.Tables.Sum(t => t.Chains.Values.Sum(c => c.Rules.Count)));
        Assert.True(allocated <= BudgetPerRule * rules, $"parsing {rules} rules allocated {allocated:N0} bytes, {allocated / rules:N0} a rule (budget {BudgetPerRule:N0})");
    }

    /// <summary>
    /// Bytes a rule may allocate when the ruleset is read again unchanged but for counters and handles, and every rule
    /// is taken as the last read compiled it (what most refreshes are): about 110 now, against 1,270 compiled.
    /// </summary>
    private const long ReusedBudgetPerRule = 250;

    [Fact]
    public void Reading_the_benchmarks_ruleset_again_allocates_a_fraction_of_compiling_it()
    {
        var dump = new System.Buffers.ReadOnlySequence<byte>(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "allocation", "bench-1k", "nft.json")));
        var cache = new CompiledRuleCache();
        for (var i = 0; i < 2; i++)
        {
            var warm = cache.Begin();
            NftJsonParser.Parse(dump, reuse: warm);
            cache.Commit(warm);
        }

        var session = cache.Begin();
        var before = GC.GetAllocatedBytesForCurrentThread();
        NftJsonParser.Parse(dump, reuse: session);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((1_000, 0), (session.Reused, session.Compiled));
        Assert.True(allocated <= ReusedBudgetPerRule * session.Reused, $"reading {session.Reused} unchanged rules allocated {allocated:N0} bytes, {allocated / session.Reused:N0} a rule (budget {ReusedBudgetPerRule:N0})");
    }
}
