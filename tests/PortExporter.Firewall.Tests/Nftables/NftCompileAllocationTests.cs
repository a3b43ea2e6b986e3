using System.Text.Json;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests.Nftables;

/// <summary>
/// What compiling a large ruleset's rules allocates, apart from reading the JSON and writing the rule text
/// (<see cref="NftParseAllocationTests"/> holds the whole parse). The compiled rules are what a snapshot keeps; the
/// rest is garbage of every refresh, and a refresh's garbage is the exporter's resident peak.
/// </summary>
public sealed class NftCompileAllocationTests
{
    /// <summary>
    /// Bytes the compiler may allocate for a rule of the benchmark's ruleset, what it keeps included (about 480 now;
    /// 1,530 with a compiler, a match list, a dependency list, element lists and a string per key and operand a rule).
    /// </summary>
    private const long BudgetPerRule = 700;

    [Fact]
    public void The_benchmarks_rules_compile_within_their_allocation_budget()
    {
        var dump = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "allocation", "bench-1k", "nft.json"));
        using var document = JsonDocument.Parse(dump);
        var rules = document.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(item => item.TryGetProperty("rule", out _))
            .Select(item => item.GetProperty("rule").GetProperty("expr"))
            .ToArray();
        var sets = new Dictionary<string, NftSetDefinition>(StringComparer.Ordinal);
        var warm = Compile(rules, sets);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var compiled = Compile(rules, sets);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1_000, rules.Length);
        Assert.Equal(warm, compiled);
        Assert.True(allocated <= BudgetPerRule * rules.Length, $"compiling {rules.Length} rules allocated {allocated:N0} bytes, {allocated / rules.Length:N0} a rule (budget {BudgetPerRule:N0})");
    }

    /// <summary>Compiles every rule as a parse does (one compiler and interner for all); the match counts and actions, to compare.</summary>
    private static (int Matches, RuleActionKind Action)[] Compile(JsonElement[] rules, Dictionary<string, NftSetDefinition> sets)
    {
        var result = new (int, RuleActionKind)[rules.Length];
        var compiler = new NftRuleCompiler(new RuleInterner());
        for (var i = 0; i < rules.Length; i++)
        {
            compiler.Rule(rules[i], TableFamily.Ip, sets);
            result[i] = (compiler.Matches.Count, compiler.Action.Kind);
        }

        return result;
    }
}
