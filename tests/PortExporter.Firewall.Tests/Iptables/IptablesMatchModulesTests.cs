using PortExporter.Firewall.Iptables.Modules;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary>Each match module's handler on its own: the matches it adds for an option, and what it does not read.</summary>
public sealed class IptablesMatchModulesTests
{
    private static readonly PacketState Syn8080 = Packets.Syn("203.0.113.1", "10.77.0.1", 8080);

    /// <summary>Reads <paramref name="option"/> of <paramref name="module"/> with <paramref name="values"/> after it.</summary>
    private static (ModuleOptionResult Result, ModuleContext Context) Read(string module, string option, bool negate = false, params string[] values)
    {
        var context = new ModuleContext([option, .. values], 4) { Position = 1 };
        var result = IptablesMatchModules.ByName[module].Read(context, module, option, negate);
        return (result, context);
    }

    private static MatchResult Single(ModuleContext context, PacketState packet) => Assert.Single(context.Matches).Evaluate(packet);

    [Fact]
    public void Every_module_reads_through_the_table()
    {
        Assert.Equal(
            ["addrtype", "comment", "conntrack", "dccp", "hashlimit", "hl", "icmp", "icmp6", "iprange", "limit", "mark", "multiport", "pkttype", "recent", "rpfilter", "rt", "sctp", "set", "state", "statistic", "tcp", "ttl", "udp", "udplite"],
            IptablesMatchModules.ByName.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["comment", "icmp", "icmp6", "limit", "rpfilter", "tcp", "udp"],
            IptablesMatchModules.ByName.Where(m => m.Value.KnownWithoutOptions).Select(m => m.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("tcp", "--dport", "8080", false, MatchResult.Yes)]
    [InlineData("tcp", "--dport", "8000:8100", false, MatchResult.Yes)]
    [InlineData("tcp", "--dport", "8080", true, MatchResult.No)]
    [InlineData("udp", "--destination-port", "53", false, MatchResult.No)]
    [InlineData("sctp", "--dport", "9000", false, MatchResult.No)]
    [InlineData("tcp", "--dport", "http", false, MatchResult.Unknown)]
    public void Port_modules_match_the_destination_port(string module, string option, string value, bool negate, MatchResult expected)
    {
        var (result, context) = Read(module, option, negate, value);
        Assert.Equal(ModuleOptionResult.Done, result);
        Assert.Equal(2, context.Position);
        Assert.Equal(expected, Single(context, Syn8080));
    }

    [Fact]
    public void Tcp_flags_and_syn_are_tcp_only()
    {
        Assert.Equal(MatchResult.Yes, Single(Read("tcp", "--syn").Context, Syn8080));
        Assert.Equal(MatchResult.Yes, Single(Read("tcp", "--tcp-flags", false, "FIN,SYN,RST,ACK", "SYN").Context, Syn8080));
        Assert.Equal(MatchResult.No, Single(Read("tcp", "--tcp-flags", false, "SYN,ACK", "ACK").Context, Syn8080));
        Assert.IsType<UnknownMatch>(Assert.Single(Read("tcp", "--tcp-flags", false, "SYN,BOGUS", "SYN").Context.Matches));
        Assert.Equal(ModuleOptionResult.NotUnderstood, Read("udp", "--syn").Result);
        // The message names the last argument read: the mask, when the comparison is missing.
        Assert.Equal("'SYN' needs a value", Read("tcp", "--tcp-flags", false, "SYN").Result.Problem);
    }

    [Theory]
    [InlineData("--dports", "80,8080,9000:9100", MatchResult.Yes)]
    [InlineData("--dports", "80,443", MatchResult.No)]
    [InlineData("--ports", "8080", MatchResult.Yes)]
    [InlineData("--sports", "1:1023", MatchResult.No)]
    public void Multiport_matches_lists_and_ranges(string option, string value, MatchResult expected) =>
        Assert.Equal(expected, Single(Read("multiport", option, false, value).Context, Syn8080));

    [Theory]
    [InlineData("state", "--state", "NEW", MatchResult.Yes)]
    [InlineData("conntrack", "--ctstate", "ESTABLISHED,RELATED", MatchResult.No)]
    [InlineData("conntrack", "--ctstate", "DNAT", MatchResult.No)]
    [InlineData("conntrack", "--ctstate", "SNAT", MatchResult.Unknown)]
    [InlineData("conntrack", "--ctstatus", "NONE", MatchResult.Yes)]
    [InlineData("conntrack", "--ctstatus", "CONFIRMED", MatchResult.No)]
    public void Conntrack_modules_match_the_new_connection(string module, string option, string value, MatchResult expected)
    {
        Assert.Equal(ConntrackStates.New, Syn8080.ConntrackState);
        Assert.Equal(expected, Single(Read(module, option, false, value).Context, Syn8080));
    }

    /// <summary>
    /// kube-proxy's KUBE-FIREWALL: <c>! --ctstate RELATED,ESTABLISHED,DNAT</c> is a new connection whose destination no
    /// DNAT changed; once a DNAT translated it (a localhost NodePort), the DNAT pseudo-state matches.
    /// </summary>
    [Fact]
    public void The_dnat_pseudo_state_is_a_translated_destination()
    {
        var match = Assert.Single(Read("conntrack", "--ctstate", true, "RELATED,ESTABLISHED,DNAT").Context.Matches);
        Assert.Equal(MatchResult.Yes, match.Evaluate(Syn8080));
        var natted = Packets.Syn("203.0.113.1", "10.77.0.1", 8080);
        natted.DestinationNatted = true;
        Assert.Equal(MatchResult.No, match.Evaluate(natted));
        Assert.Null(match.UnknownReason);
    }

    /// <summary>
    /// <c>-m statistic</c>: random and nth are a choice the kernel makes (understood, neither yes nor no, so the
    /// evaluator follows both ways); a probability of 0 or 1 is no choice.
    /// </summary>
    [Fact]
    public void Statistic_is_a_random_choice_unless_it_is_certain()
    {
        var random = Read("statistic", "--mode", false, "random").Context;
        var choice = Assert.IsType<RandomChoiceMatch>(Assert.Single(random.Matches));
        Assert.Equal((MatchResult.Unknown, null), (choice.Evaluate(Syn8080), choice.UnknownReason));
        Assert.Equal(ModuleOptionResult.Done, IptablesMatchModules.ByName["statistic"].Read(new ModuleContext(["--probability", "0.5"], 4) { Position = 1 }, "statistic", "--probability", false));
        Assert.IsType<RandomChoiceMatch>(Assert.Single(Read("statistic", "--mode", false, "nth").Context.Matches));
        Assert.IsType<UnknownMatch>(Assert.Single(Read("statistic", "--mode", false, "other").Context.Matches));

        foreach (var (p, negate, expected) in (IEnumerable<(string, bool, MatchResult)>)[("1", false, MatchResult.Yes), ("0.00000000000", false, MatchResult.No), ("1.0", true, MatchResult.No)])
        {
            var context = new ModuleContext(["--mode", "random", "--probability", p], 4) { Position = 1 };
            IptablesMatchModules.ByName["statistic"].Read(context, "statistic", "--mode", false);
            context.Position = 3;
            IptablesMatchModules.ByName["statistic"].Read(context, "statistic", "--probability", negate);
            Assert.Equal(expected, Single(context, Syn8080));
        }

        Assert.Equal(ModuleOptionResult.NotUnderstood, Read("statistic", "--bogus", false, "1").Result);
    }

    [Fact]
    public void Comment_is_kept_and_matches_nothing_away()
    {
        var (result, context) = Read("comment", "--comment", false, "open web");
        Assert.Equal(ModuleOptionResult.Done, result);
        Assert.Equal("open web", context.Comment);
        Assert.Empty(context.Matches);
    }

    [Fact]
    public void Rate_limits_are_within_unless_above()
    {
        var (_, limit) = Read("limit", "--limit", false, "5/sec");
        Assert.Equal(MatchResult.Yes, Single(limit, Syn8080));
        var (_, above) = Read("hashlimit", "--hashlimit-above", false, "5/sec");
        Assert.Equal(MatchResult.No, Single(above, Syn8080));
        Assert.Equal(ModuleOptionResult.Done, Read("hashlimit", "--hashlimit-rate-match").Result);
        var (other, nothing) = Read("hashlimit", "--hashlimit-name", false, "web");
        Assert.Equal((ModuleOptionResult.Done, 2), (other, nothing.Position));
        Assert.Equal(ModuleOptionResult.NotUnderstood, Read("limit", "--bogus").Result);
    }

    [Fact]
    public void Icmp_types_never_match_a_tcp_connection()
    {
        var (_, context) = Read("icmp", "--icmp-type", false, "8");
        Assert.Equal(2, context.Matches.Count);
        Assert.Equal(MatchResult.No, context.Matches[0].Evaluate(Syn8080));
        Assert.Single(Read("icmp6", "--icmpv6-type", false, "any").Context.Matches);
        Assert.Equal(ModuleOptionResult.NotUnderstood, Read("icmp", "--icmpv6-type", false, "1").Result);
    }

    [Theory]
    [InlineData("addrtype", "--src-type", "LOCAL", MatchResult.No)]
    [InlineData("addrtype", "--src-type", "UNICAST", MatchResult.Yes)]
    [InlineData("iprange", "--src-range", "203.0.113.0-203.0.113.9", MatchResult.Yes)]
    [InlineData("iprange", "--dst-range", "10.0.0.1-10.0.0.9", MatchResult.No)]
    [InlineData("iprange", "--dst-range", "10.0.0.1", MatchResult.Unknown)]
    public void Address_modules(string module, string option, string value, MatchResult expected) =>
        Assert.Equal(expected, Single(Read(module, option, false, value).Context, Syn8080));

    [Theory]
    [InlineData("mark", "--mark", "0x0", MatchResult.Yes)]
    [InlineData("mark", "--mark", "0x1/0x1", MatchResult.No)]
    [InlineData("pkttype", "--pkt-type", "unicast", MatchResult.Yes)]
    [InlineData("pkttype", "--pkt-type", "broadcast", MatchResult.No)]
    [InlineData("pkttype", "--pkt-type", "weird", MatchResult.Unknown)]
    public void Packet_modules(string module, string option, string value, MatchResult expected) =>
        Assert.Equal(expected, Single(Read(module, option, false, value).Context, Syn8080));

    // The simulated client's packet arrives with a hop limit of 64 (ufw's neighbour-discovery rules ask for 255,
    // its multicast listener rules for 1), and without an IPv6 routing header (ufw drops type 0).
    [Theory]
    [InlineData("hl", "--hl-eq", false, "255", MatchResult.No)]
    [InlineData("hl", "--hl-eq", true, "255", MatchResult.Yes)]
    [InlineData("hl", "--hl-lt", false, "255", MatchResult.Yes)]
    [InlineData("ttl", "--ttl-gt", false, "0", MatchResult.Yes)]
    [InlineData("ttl", "--ttl-eq", false, "0", MatchResult.No)]
    [InlineData("hl", "--hl-eq", false, "1", MatchResult.No)]
    [InlineData("hl", "--hl-eq", false, "64", MatchResult.Yes)]
    [InlineData("ttl", "--ttl-lt", false, "10", MatchResult.No)]
    [InlineData("ttl", "--ttl-eq", false, "300", MatchResult.Unknown)]
    [InlineData("rt", "--rt-type", false, "0", MatchResult.No)]
    [InlineData("rt", "--rt-type", true, "0", MatchResult.No)]
    [InlineData("rt", "--rt-segsleft", false, "1:5", MatchResult.No)]
    public void Header_modules(string module, string option, bool negate, string value, MatchResult expected) =>
        Assert.Equal(expected, Single(Read(module, option, negate, value).Context, Syn8080));

    [Fact]
    public void Reverse_path_passes_and_inverted_fails()
    {
        Assert.Empty(Read("rpfilter", "--loose").Context.Matches);
        Assert.Equal(MatchResult.No, Single(Read("rpfilter", "--invert").Context, Syn8080));
    }

    [Theory]
    [InlineData("tcp", "--dport")]
    [InlineData("multiport", "--dports")]
    [InlineData("conntrack", "--ctstate")]
    [InlineData("comment", "--comment")]
    [InlineData("hashlimit", "--hashlimit-upto")]
    [InlineData("iprange", "--src-range")]
    [InlineData("mark", "--mark")]
    public void An_option_without_its_value_is_a_broken_line_not_a_hidden_state(string module, string option)
    {
        var (result, context) = Read(module, option);
        Assert.Equal(ModuleOptionResult.Broken($"'{option}' needs a value"), result);
        Assert.Empty(context.Matches);
    }
}
