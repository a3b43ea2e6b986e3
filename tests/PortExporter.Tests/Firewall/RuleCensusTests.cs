using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PortExporter.Core;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;
using Xunit.Abstractions;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// A census of what the evaluator understands: for every captured ruleset (each fixture folder) and for
/// match-census, generated from every match module and expression the installed iptables and nft accept (its
/// README), the rules whose matches and action are all understood, per fixture, per iptables match module and per
/// nft expression. Printed in the test output. Every rule of every captured fixture, ground-truth (with cases.txt) and
/// parser-only alike, must be understood: 100 % for each, except unknown-match, which exists to hold a match the
/// evaluator cannot understand (<c>-m string</c>: the packet's bytes) and holds nothing else it does not.
/// </summary>
public sealed partial class RuleCensusTests(ITestOutputHelper output)
{
    private const string Generated = "match-census";
    private const string NotUnderstoodOnPurpose = "unknown-match";

    private static IEnumerable<string> Captured =>
        Directory.GetDirectories(FirewallFixture.Root).Select(Path.GetFileName).OfType<string>()
            .Where(n => File.Exists(Path.Combine(FirewallFixture.Root, n, "nft.json")) && File.Exists(Path.Combine(FirewallFixture.Root, n, "iptables-nft-save.txt")))
            .Order(StringComparer.Ordinal);

    [Fact]
    public void Every_rule_of_the_captured_fixtures_is_understood_and_the_census_is_printed()
    {
        var notUnderstood = new List<string>();
        var total = (Rules: 0, Understood: 0);
        foreach (var fixture in Captured.Where(f => f != Generated))
        {
            var rules = RulesOf(fixture);
            var understood = rules.Count(r => Understood(r.Rule));
            total = (total.Rules + rules.Count, total.Understood + understood);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fixture,-34} {understood,4}/{rules.Count,-4} rules understood ({Percent(understood, rules.Count)})"));
            var gaps = rules.Where(r => !Understood(r.Rule)).Select(r => $"{fixture}: {r.Table} {r.Chain}: {r.Rule.Text}: {Why(r.Rule)}").ToList();
            foreach (var gap in gaps)
            {
                output.WriteLine($"    not understood: {gap}");
            }

            if (fixture != NotUnderstoodOnPurpose)
            {
                notUnderstood.AddRange(gaps);
            }
            else
            {
                Assert.NotEmpty(gaps);
                Assert.All(gaps, g => Assert.Contains(": -m string ", g, StringComparison.Ordinal));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"all captured fixtures",-34} {total.Understood,4}/{total.Rules,-4} rules understood ({Percent(total.Understood, total.Rules)})"));
        Assert.True(total.Rules > 0, "no captured rules found");
        Assert.True(notUnderstood.Count == 0, string.Join('\n', notUnderstood));
    }

    [Fact]
    public void The_census_of_every_installed_match_module_and_expression_is_printed_and_covers_the_modules_the_fixtures_use()
    {
        var rules = RulesOf(Generated);
        // A module is understood in a rule unless the rule's unknown reason names it (another module of the rule may be the one not understood).
        var byModule = rules.Where(r => r.Table.Backend != "nftables")
            .SelectMany(r => Modules(r.Rule.Text).Select(m => (Module: $"{Family(r.Table)} -m {m}", Understood: !NotUnderstoodIn(r.Rule, m))))
            .GroupBy(x => x.Module, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Rules: g.Count(), Understood: g.Count(x => x.Understood)), StringComparer.Ordinal);
        var byExpression = rules.Where(r => r.Table.Backend == "nftables" && r.Table.Name == "census")
            .GroupBy(r => Expression(r.Rule.Text), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Rules: g.Count(), Understood: g.Count(x => Understood(x.Rule))), StringComparer.Ordinal);
        foreach (var (name, count) in byModule.Concat(byExpression).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} {count.Understood}/{count.Rules} understood"));
        }

        var understoodModules = byModule.Count(kv => kv.Value.Understood == kv.Value.Rules);
        var understoodExpressions = byExpression.Count(kv => kv.Value.Understood == kv.Value.Rules);
        var understoodRules = rules.Count(r => Understood(r.Rule));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"iptables match modules understood: {understoodModules}/{byModule.Count} ({Percent(understoodModules, byModule.Count)})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nft expressions understood: {understoodExpressions}/{byExpression.Count} ({Percent(understoodExpressions, byExpression.Count)})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Generated} rules understood: {understoodRules}/{rules.Count} ({Percent(understoodRules, rules.Count)})"));

        // Every module a ground-truth fixture uses (but the one that holds unknown matches on purpose) is understood in
        // the generated ruleset too: 100 % for the modules the fixtures use.
        var used = Captured.Where(f => f is not (Generated or NotUnderstoodOnPurpose) && File.Exists(Path.Combine(FirewallFixture.Root, f, "cases.txt")))
            .SelectMany(f => RulesOf(f).Where(r => r.Table.Backend != "nftables").SelectMany(r => Modules(r.Rule.Text).Select(m => $"{Family(r.Table)} -m {m}")))
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(used);
        var missing = used.Where(m => !byModule.ContainsKey(m) || byModule[m].Understood != byModule[m].Rules).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"modules the fixtures use that the census does not cover or understand: {string.Join(", ", missing)}");
    }

    /// <summary>
    /// A rule not understood makes the verdict unknown only where it could change it. The generated ruleset is full of
    /// such rules, all accepting under an accepting policy: port 8080's verdict is accept. With the filter INPUT policy
    /// on drop, the understood rule before them (<c>-m addrtype --dst-type LOCAL -j ACCEPT</c>) still decides. In
    /// unknown-match (checked against real connections by its cases.txt), <c>-m string</c> before a drop of 8080 could
    /// decide: unknown, naming it; before a LOG on 8081 it cannot: the drop after it decides.
    /// </summary>
    [Fact]
    public void A_rule_not_understood_makes_the_verdict_unknown_only_when_it_could_change_it()
    {
        var (ruleset, _) = FirewallFixture.Ruleset(Generated);
        Assert.Contains(ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules), r => !Understood(r));

        var accepting = Evaluate(ruleset, 8080);
        Assert.True(accepting.Verdict == FirewallVerdict.Accept, Describe(accepting));

        var dropping = Evaluate(Assemble(Generated, FilterInputDrops), 8080);
        Assert.True(dropping.Verdict == FirewallVerdict.Accept && dropping.Rule.Contains("-m addrtype --dst-type LOCAL -j ACCEPT", StringComparison.Ordinal), Describe(dropping));

        var (unknownMatch, _) = FirewallFixture.Ruleset(NotUnderstoodOnPurpose);
        var couldDecide = Evaluate(unknownMatch, 8080);
        Assert.True(couldDecide.Verdict == FirewallVerdict.Unknown && couldDecide.Rule.Contains("-m string", StringComparison.Ordinal), Describe(couldDecide));
        var cannotDecide = Evaluate(unknownMatch, 8081);
        Assert.True(cannotDecide.Verdict == FirewallVerdict.Drop, Describe(cannotDecide));
    }

    private static FirewallDecision Evaluate(FirewallRuleset ruleset, int port) =>
        new FirewallEvaluator(ruleset).Evaluate(
            new SimulatedConnection(ConnectionOrigin.Outside, IPAddress.Parse("203.0.113.1"), IPAddress.Parse("10.77.0.1"), "eth0", TransportProtocol.Tcp, port),
            FirewallFixture.ServerNetwork.IsLocal).Decision;

    private static string Describe(FirewallDecision d) => $"{d.Verdict} by {d.Backend} {d.Table} {d.Chain} {d.Rule} {d.Detail}";

    private static List<(FirewallTable Table, string Chain, FirewallRule Rule)> RulesOf(string fixture) =>
        [.. FirewallFixture.Ruleset(fixture).Ruleset.Tables.SelectMany(t => t.Chains.Values.SelectMany(c => c.Rules.Select(r => (t, c.Name, r))))];

    private static FirewallRuleset Assemble(string fixture, Func<string, string> iptablesSave) =>
        RulesetAssembler.Assemble(
            NftJsonParser.Parse(FirewallFixture.Read(fixture, "nft.json")),
            iptablesSave(FirewallFixture.Read(fixture, "iptables-nft-save.txt")),
            FirewallFixture.Read(fixture, "ip6tables-nft-save.txt"),
            iptablesSave(FirewallFixture.Read(fixture, "iptables-legacy-save.txt")),
            FirewallFixture.Read(fixture, "ip6tables-legacy-save.txt"),
            FirewallFixture.ReadOptional(fixture, "ipset-save.txt") is { } sets ? IpsetSaveParser.Parse(sets, "ipset-save.txt") : null).Ruleset;

    /// <summary>The iptables-save text with the filter table's INPUT policy on drop (the other tables as captured).</summary>
    private static string FilterInputDrops(string save)
    {
        var filter = save.IndexOf("*filter", StringComparison.Ordinal);
        var policy = save.IndexOf(":INPUT ACCEPT", filter, StringComparison.Ordinal);
        Assert.True(filter >= 0 && policy > filter, "the capture has no filter INPUT policy");
        return string.Concat(save.AsSpan(0, policy), ":INPUT DROP", save.AsSpan(policy + ":INPUT ACCEPT".Length));
    }

    private static bool Understood(FirewallRule rule) => rule.UnknownReason is null && rule.Action.Kind != RuleActionKind.Unknown;

    /// <summary>True when the rule's unknown reason names <paramref name="module"/>, with its options or alone (<c>-m socket</c>).</summary>
    private static bool NotUnderstoodIn(FirewallRule rule, string module) =>
        (rule.UnknownReason ?? rule.Action.Detail) is { } why && !Understood(rule)
        && (why.Contains($"-m {module} ", StringComparison.Ordinal) || why.EndsWith($"-m {module}", StringComparison.Ordinal));

    private static string Why(FirewallRule rule) => rule.UnknownReason ?? rule.Action.Detail ?? "action not understood";

    private static string Family(FirewallTable table) => table.Family == TableFamily.Ip6 ? "ip6tables" : "iptables";

    private static IEnumerable<string> Modules(string text) => ModulePattern().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal);

    /// <summary>The expression a generated nft rule holds: its first two words (<c>ct state</c>, <c>tcp dport</c>, <c>ip saddr</c>).</summary>
    private static string Expression(string text) => "nft " + string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2));

    private static string Percent(int part, int whole) =>
        whole == 0 ? "n/a" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    [GeneratedRegex(@"(?:^|\s)-m\s+(\S+)")]
    private static partial Regex ModulePattern();
}
