using PortExporter.Core.Baseline;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Firewall;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Baseline;

/// <summary>
/// Ruleset fingerprints from the real tools in a test namespace: traffic (counters) and loading the same rules
/// again (a new nft handle) leave a fingerprint as it was; a rule added changes it. The rulesets are made and read
/// with iptables-legacy and nft at test time, not stored.
/// </summary>
public sealed class RulesetFingerprintTests
{
    [Fact]
    public void Iptables_legacy_counters_do_not_change_the_fingerprint_and_a_rule_does()
    {
        using var ns = new Netns("baselinefp");
        ns.Exec("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "ACCEPT");
        var before = ns.Exec("iptables-legacy-save", "-c").Stdout;

        // Refused connections to loopback: the rule's counters move, the rules do not.
        ns.ExecAllowFailure("curl", "-s", "-m", "2", "http://127.0.0.1:8080/");
        ns.ExecAllowFailure("curl", "-s", "-m", "2", "http://127.0.0.1:8080/");
        var afterTraffic = ns.Exec("iptables-legacy-save", "-c").Stdout;
        ns.Exec("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "8081", "-j", "DROP");
        var afterRule = ns.Exec("iptables-legacy-save", "-c").Stdout;

        Assert.NotEqual(Strip(before), Strip(afterTraffic)); // the counters did move
        var a = Fingerprint(before);
        Assert.Equal(a, Fingerprint(afterTraffic));
        Assert.NotEqual(a.Sha256, Fingerprint(afterRule).Sha256);
        Assert.Equal((FirewallBackends.IptablesLegacy, 1, 2), (a.Backend, a.Rules, Fingerprint(afterRule).Rules));
    }

    [Fact]
    public void Nftables_rules_loaded_again_keep_the_fingerprint_and_a_rule_added_changes_it()
    {
        using var ns = new Netns("baselinefp");
        using var dir = new TempDir();
        var rules = dir.File("rules.nft", """
            table inet filter {
              chain input {
                type filter hook input priority 0; policy accept;
                tcp dport 22 accept
                tcp dport 8080 drop
              }
            }
            """);
        ns.Exec("nft", "-f", rules);
        var first = NftFingerprint(ns);
        var handle = DropHandle(ns);

        // The same rule deleted and added again, in the same place (last): a new handle, the same ruleset.
        ns.Exec("nft", "delete", "rule", "inet", "filter", "input", "handle", handle.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ns.Exec("nft", "add", "rule", "inet", "filter", "input", "tcp", "dport", "8080", "drop");
        var again = NftFingerprint(ns);
        Assert.NotEqual(handle, DropHandle(ns));
        ns.Exec("nft", "add", "rule", "inet", "filter", "input", "tcp", "dport", "9090", "drop");

        Assert.Equal(first, again);
        Assert.NotEqual(first.Sha256, NftFingerprint(ns).Sha256);
        Assert.Equal((FirewallBackends.Nftables, 2), (first.Backend, first.Rules));
    }

    [Fact]
    public void Ipset_timeouts_counters_and_member_order_do_not_change_a_set_digest_and_a_member_does()
    {
        using var ns = new Netns("histipfp");
        ns.Exec("ipset", "create", "pe_a", "hash:ip", "timeout", "600", "counters");
        ns.Exec("ipset", "create", "pe_b", "hash:ip", "timeout", "600", "counters");
        ns.Exec("ipset", "add", "pe_a", "192.0.2.1", "timeout", "500", "packets", "3", "bytes", "180");
        ns.Exec("ipset", "add", "pe_a", "192.0.2.2", "timeout", "500");
        ns.Exec("ipset", "add", "pe_b", "192.0.2.2", "timeout", "400");
        ns.Exec("ipset", "add", "pe_b", "192.0.2.1", "timeout", "300", "packets", "9", "bytes", "540");
        var save = ns.Exec("ipset", "save").Stdout;
        ns.Exec("ipset", "add", "pe_b", "192.0.2.3");
        var added = ns.Exec("ipset", "save").Stdout;

        var sets = IpsetSaveParser.Parse(save, "ipset save").Sets;
        Assert.Matches(@"add pe_b 192\.0\.2\.1 timeout [0-9]+ packets 9 bytes 540", save);
        Assert.Equal((2, sets["pe_a"].Content!.Sha256), (sets["pe_b"].Content!.Elements, sets["pe_b"].Content!.Sha256));
        var after = IpsetSaveParser.Parse(added, "ipset save").Sets["pe_b"].Content!;
        Assert.Equal(3, after.Elements);
        Assert.NotEqual(sets["pe_b"].Content!.Sha256, after.Sha256);
    }

    [Fact]
    public void Nft_set_counters_and_expiry_do_not_change_the_fingerprint_and_an_element_does()
    {
        using var ns = new Netns("histnftfp");
        using var dir = new TempDir();
        ns.Exec("nft", "-f", dir.File("set.nft", """
            table inet pe_fp {
              set allowlist {
                type ipv4_addr
                flags timeout
                counter
                elements = { 192.0.2.1 timeout 1h, 192.0.2.2 timeout 1h }
              }
              chain input {
                type filter hook input priority 0; policy accept;
                ip saddr != @allowlist tcp dport 8080 drop
              }
            }
            """));
        var first = ns.Exec("nft", "-j", "list", "ruleset").Stdout;
        Thread.Sleep(1100);
        var later = ns.Exec("nft", "-j", "list", "ruleset").Stdout;
        ns.Exec("nft", "add", "element", "inet", "pe_fp", "allowlist", "{ 192.0.2.3 }");
        var added = ns.Exec("nft", "-j", "list", "ruleset").Stdout;

        Assert.Contains("\"expires\"", first, StringComparison.Ordinal);
        Assert.NotEqual(first, later); // the expiry counts down
        var a = NftFingerprint(first);
        Assert.Equal(a, NftFingerprint(later));
        Assert.Equal(new SetFingerprint("inet pe_fp allowlist", a.Sets.Single().Sha256, 2), a.Sets.Single());
        var b = NftFingerprint(added);
        Assert.NotEqual(a.Sha256, b.Sha256);
        Assert.Equal(3, b.Sets.Single().Elements);
    }

    [Fact]
    public void A_large_rulesets_fingerprint_is_the_digest_of_its_normalised_text()
    {
        // Hashed as it is written, a few KB at a time: the digest must not depend on where those pieces end, also
        // when a character pair (an emoji in a comment) or a long rule falls across the end of one.
        var rules = Enumerable.Range(1, 3_000).Select(i => new FirewallRule(i, i, i % 7 == 0 ? $"tcp dport {i} accept comment \"ok 😀 {i}\"" : i % 500 == 0 ? new string('x', 20_000) : $"tcp dport {i} drop", [], RuleAction.Accept)).ToList();
        var table = new FirewallTable(FirewallBackends.Nftables, TableFamily.Inet, "filter", new Dictionary<string, FirewallChain> { ["input"] = new("input", null, rules) });

        var fingerprint = RulesetFingerprints.Of(new FirewallRuleset([table])).Single();

        var text = RulesetFingerprints.NormalisedText([table]);
        Assert.True(text.Length > 100_000);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), fingerprint.Sha256);
    }

    private static RulesetFingerprint NftFingerprint(string json) =>
        RulesetFingerprints.Of(RulesetAssembler.Assemble(NftJsonParser.Parse(json), null, null, null, null).Ruleset).Single();

    private static RulesetFingerprint Fingerprint(string iptablesLegacySave) =>
        RulesetFingerprints.Of(RulesetAssembler.Assemble(null, null, null, iptablesLegacySave, null).Ruleset).Single();

    private static RulesetFingerprint NftFingerprint(Netns ns) =>
        RulesetFingerprints.Of(RulesetAssembler.Assemble(NftJsonParser.Parse(ns.Exec("nft", "-j", "list", "ruleset").Stdout), null, null, null, null).Ruleset).Single();

    private static long DropHandle(Netns ns) =>
        RulesetAssembler.Assemble(NftJsonParser.Parse(ns.Exec("nft", "-j", "list", "ruleset").Stdout), null, null, null, null).Ruleset
            .Tables.Single().Chains["input"].Rules.Single(r => r.Text.Contains("8080", StringComparison.Ordinal)).Handle!.Value;

    private static string Strip(string save) => string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')));
}
