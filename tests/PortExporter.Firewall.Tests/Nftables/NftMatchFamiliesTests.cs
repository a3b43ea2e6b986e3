using System.Text.Json;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests;

/// <summary>Each family of the left-hand side of an nft match (payload by protocol, meta, ct) on its own, on a TCP SYN to 10.77.0.1:8080 on eth0.</summary>
public sealed class NftMatchFamiliesTests
{
    private static readonly PacketState Syn = Packets.Syn("203.0.113.1", "10.77.0.1", 8080);

    private static MatchResult Evaluate(string left, string right, TableFamily family = TableFamily.Inet)
    {
        using var doc = JsonDocument.Parse($$$"""[{"match":{"op":"==","left":{{{left}}},"right":{{{right}}}}}]""");
        var rule = NftRuleCompiler.Compile(doc.RootElement.Clone(), family, new Dictionary<string, NftSetDefinition>());
        var result = MatchResult.Yes;
        foreach (var match in rule.Matches)
        {
            result = match.Evaluate(Syn) switch
            {
                MatchResult.No => MatchResult.No,
                MatchResult.Unknown when result == MatchResult.Yes => MatchResult.Unknown,
                _ => result,
            };
        }

        return result;
    }

    [Theory]
    [InlineData("""{"payload":{"protocol":"ip","field":"daddr"}}""", "\"10.77.0.1\"", MatchResult.Yes)]
    [InlineData("""{"payload":{"protocol":"ip6","field":"daddr"}}""", "\"2001:db8:77::1\"", MatchResult.No)]
    [InlineData("""{"payload":{"protocol":"ip","field":"protocol"}}""", "6", MatchResult.Yes)]
    [InlineData("""{"payload":{"protocol":"ip","field":"ttl"}}""", "64", MatchResult.Yes)]
    [InlineData("""{"payload":{"protocol":"ip","field":"ttl"}}""", "255", MatchResult.No)]
    [InlineData("""{"payload":{"protocol":"ip","field":"tos"}}""", "0", MatchResult.Unknown)]
    public void Ip_payload(string left, string right, MatchResult expected) => Assert.Equal(expected, Evaluate(left, right));

    [Fact]
    public void An_ip6_field_in_an_ip_table_never_matches() =>
        Assert.Equal(MatchResult.No, Evaluate("""{"payload":{"protocol":"ip6","field":"daddr"}}""", "\"10.77.0.1\"", TableFamily.Ip));

    [Theory]
    [InlineData("""{"payload":{"protocol":"tcp","field":"dport"}}""", "8080", MatchResult.Yes)]
    [InlineData("""{"payload":{"protocol":"udp","field":"dport"}}""", "8080", MatchResult.No)]
    [InlineData("""{"payload":{"protocol":"th","field":"dport"}}""", "8080", MatchResult.Yes)]
    [InlineData("""{"payload":{"protocol":"icmp","field":"type"}}""", "8", MatchResult.No)]
    [InlineData("""{"payload":{"protocol":"ah","field":"spi"}}""", "1", MatchResult.No)]
    public void Transport_and_icmp_payload(string left, string right, MatchResult expected) => Assert.Equal(expected, Evaluate(left, right));

    [Theory]
    [InlineData("""{"meta":{"key":"iifname"}}""", "\"eth0\"", MatchResult.Yes)]
    [InlineData("""{"meta":{"key":"l4proto"}}""", "17", MatchResult.No)]
    [InlineData("""{"meta":{"key":"skuid"}}""", "0", MatchResult.Unknown)]
    [InlineData("""{"ct":{"key":"state"}}""", "\"new\"", MatchResult.Yes)]
    [InlineData("""{"ct":{"key":"state"}}""", "\"established\"", MatchResult.No)]
    [InlineData("""{"payload":{"base":"nh","offset":0,"len":8}}""", "1", MatchResult.Unknown)]
    public void Meta_ct_and_raw(string left, string right, MatchResult expected) => Assert.Equal(expected, Evaluate(left, right));

    [Theory]
    [InlineData("""{"meta":{"key":"nfproto"}}""", "\"ipv4\"", MatchResult.Yes)]
    [InlineData("""{"meta":{"key":"nfproto"}}""", "10", MatchResult.No)]
    [InlineData("""{"meta":{"key":"l4proto"}}""", "\"tcp\"", MatchResult.Yes)]
    [InlineData("""{"meta":{"key":"pkttype"}}""", "\"host\"", MatchResult.Yes)]
    [InlineData("""{"payload":{"protocol":"icmp","field":"type"}}""", "\"echo-request\"", MatchResult.No)]
    [InlineData("""{"payload":{"protocol":"ip","field":"saddr"}}""", "\"203.0.113.1\"", MatchResult.Yes)]
    [InlineData("""{"meta":{"key":"pkttype"}}""", "\"sideways\"", MatchResult.Unknown)]
    public void Values_written_as_names(string left, string right, MatchResult expected) => Assert.Equal(expected, Evaluate(left, right));

    /// <summary><c>numgen random mod N</c>: a random number, understood (no unknown reason), neither yes nor no.</summary>
    [Fact]
    public void Numgen_is_a_random_choice()
    {
        Assert.Equal(MatchResult.Unknown, Evaluate("""{"numgen":{"mode":"random","mod":2,"offset":0}}""", "0"));
        using var doc = JsonDocument.Parse("""[{"match":{"op":"==","left":{"numgen":{"mode":"random","mod":2,"offset":0}},"right":0}},{"accept":null}]""");
        var compiled = NftRuleCompiler.Compile(doc.RootElement.Clone(), TableFamily.Ip, new Dictionary<string, NftSetDefinition>());
        var rule = new FirewallRule(1, 1, NftText.Rule(doc.RootElement, null), compiled.Matches, compiled.Action);
        Assert.True(RandomChoice.Decides(rule));
        Assert.Equal("numgen random mod 2 0 accept", rule.Text);
        Assert.Equal(MatchResult.Unknown, Evaluate("""{"numgen":{"mode":"other","mod":2}}""", "0"));
    }

    /// <summary>
    /// kube-proxy's <c>numgen random mod N vmap { 0 : goto …, …, N-1 : goto … }</c>: a verdict map keyed on the random
    /// number, holding every value it can draw (then the last element is certain once the others were not taken);
    /// one with fewer elements than the modulus, or an offset past them, is not.
    /// </summary>
    [Theory]
    [InlineData(2, 0, true)]
    [InlineData(3, 0, false)]
    [InlineData(2, 1, false)]
    public void A_numgen_verdict_map_knows_whether_it_covers_every_draw(int mod, int offset, bool complete)
    {
        var json = """[{"vmap":{"key":{"numgen":{"mode":"random","mod":MOD,"offset":OFFSET}},"data":{"set":[[0,{"goto":{"target":"a"}}],[1,{"goto":{"target":"b"}}]]}}}]""";
        using var doc = JsonDocument.Parse(json.Replace("MOD", $"{mod}", StringComparison.Ordinal).Replace("OFFSET", $"{offset}", StringComparison.Ordinal));
        var compiled = NftRuleCompiler.Compile(doc.RootElement.Clone(), TableFamily.Ip, new Dictionary<string, NftSetDefinition>());
        var map = Assert.IsType<VerdictMap>(compiled.Action.Map);
        Assert.Equal([PacketField.RandomNumber], map.Keys);
        Assert.Equal(((ulong)offset, (ulong)(offset + mod - 1)), map.RandomRange);
        Assert.True(RandomChoice.Decides(map));
        Assert.Equal(complete, RandomChoice.CoversEveryDraw(map));
        Assert.Null(compiled.Matches.Select(m => m.UnknownReason).FirstOrDefault(r => r is not null));
    }
}
