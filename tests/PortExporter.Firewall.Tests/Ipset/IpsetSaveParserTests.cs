using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Iptables.Modules;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary>
/// <c>ipset save</c> as captured (fixtures/ipset-types) and the <c>--match-set</c> rules of the same capture, looked
/// up in it: each modelled type, nomatch, netmask, both families, list:set; and what stays unknown.
/// </summary>
public sealed class IpsetSaveParserTests
{
    private static readonly IpsetCatalog Sets = IpsetSaveParser.Parse(Fixtures.Read("ipset-types", "ipset-save.txt"), "ipset-save.txt");

    private static FirewallChain Input(int ipVersion) => IptablesSaveParser.Parse(
        Fixtures.Read("ipset-types", ipVersion == 4 ? "iptables-nft-save.txt" : "ip6tables-nft-save.txt"), FirewallBackends.IptablesNft, ipVersion, "dump", sets: Sets)
        .Single(t => t.Name == "filter").Chains["INPUT"];

    private static MatchResult Rule(int position, string source, string destination, int port, bool udp = false, int ipVersion = 4) =>
        Input(ipVersion).Rules[position - 1].Evaluate(Packets.Syn(source, destination, port, udp: udp));

    [Fact]
    public void Reads_every_set_of_the_capture_with_its_type_family_and_entries()
    {
        Assert.Equal(["ip", "ip6", "masked", "net", "ipport", "netport6", "ports", "range", "ifaces", "wild", "lists"], Sets.Sets.Keys);
        Assert.Equal(6, Sets.Sets["ip6"].IpVersion);
        Assert.Equal(4, Sets.Sets["range"].IpVersion);
        Assert.Null(Sets.Sets["ports"].IpVersion);
        Assert.Equal(5, Sets.Sets["ipport"].Entries);
        Assert.Equal([IpsetDimension.Address, IpsetDimension.Port], Sets.Sets["ipport"].Dimensions);
        Assert.Equal(["ip", "net"], Sets.Sets["lists"].Members);
        Assert.True(Sets.Sets["lists"].IsList);
        Assert.Equal([IpsetDimension.Address, IpsetDimension.Interface], Sets.Sets["ifaces"].Dimensions);
        Assert.DoesNotContain(Sets.Sets.Values, s => s.Unsupported is not null);
    }

    [Theory]
    [InlineData(1, "10.0.0.1", MatchResult.Yes)] // hash:ip with a timeout left: present now
    [InlineData(1, "10.0.0.2", MatchResult.Yes)] // timeout 0: for good
    [InlineData(1, "10.0.0.3", MatchResult.No)]
    [InlineData(2, "10.9.9.200", MatchResult.Yes)] // netmask 24: the packet's address is masked first
    [InlineData(2, "10.9.8.1", MatchResult.No)]
    [InlineData(3, "10.5.5.5", MatchResult.No)] // ! --match-set net: in 10.0.0.0/8
    [InlineData(3, "10.1.9.9", MatchResult.Yes)] // 10.1.0.0/16 nomatch: not in the set
    [InlineData(3, "10.1.2.3", MatchResult.No)] // a more specific entry inside the nomatch: in again
    [InlineData(3, "192.0.2.1", MatchResult.Yes)]
    [InlineData(6, "192.168.0.6", MatchResult.Yes)] // bitmap:ip netmask 30: .4 stands for .4-.7
    [InlineData(6, "192.168.0.8", MatchResult.No)]
    [InlineData(8, "10.0.0.2", MatchResult.Yes)] // list:set: its first member
    [InlineData(8, "10.3.3.3", MatchResult.Yes)] // its second member
    [InlineData(8, "10.1.0.9", MatchResult.No)] // the second member's nomatch
    [InlineData(8, "172.16.0.1", MatchResult.No)]
    public void Source_lookups_follow_the_kernel(int rule, string source, MatchResult expected) =>
        Assert.Equal(expected, Rule(rule, source, "10.77.0.1", 8080));

    [Theory]
    [InlineData("10.0.0.1", 80, false, MatchResult.Yes)]
    [InlineData("10.0.0.1", 53, true, MatchResult.Yes)]
    [InlineData("10.0.0.1", 53, false, MatchResult.No)] // udp:53 is not tcp:53
    [InlineData("10.0.0.2", 80, false, MatchResult.Yes)]
    [InlineData("10.0.0.2", 80, true, MatchResult.No)]
    [InlineData("10.0.0.3", 80, false, MatchResult.No)]
    public void Address_and_port_sets_take_the_address_from_src_and_the_port_from_dst(string source, int port, bool udp, MatchResult expected) =>
        Assert.Equal(expected, Rule(4, source, "10.77.0.1", port, udp));

    [Theory]
    [InlineData("10.0.0.1", 8080, MatchResult.Yes)]
    [InlineData("10.0.0.1", 1030, MatchResult.No)] // in the negated port set
    [InlineData("10.0.0.3", 8080, MatchResult.No)] // not in the source set
    public void Several_set_matches_in_one_rule_must_all_match(string source, int port, MatchResult expected) =>
        Assert.Equal(expected, Rule(10, source, "10.77.0.1", port));

    [Theory]
    [InlineData(1030, false, MatchResult.Yes)]
    [InlineData(1031, true, MatchResult.Yes)]
    [InlineData(1032, false, MatchResult.No)]
    public void Bitmap_port_matches_the_destination_port_of_tcp_and_udp(int port, bool udp, MatchResult expected) =>
        Assert.Equal(expected, Rule(5, "203.0.113.1", "10.77.0.1", port, udp));

    [Theory]
    [InlineData(1, "2001:db8::abcd", 8080, MatchResult.Yes)] // hash:ip family inet6 netmask 64
    [InlineData(1, "2001:db8:1::1", 8080, MatchResult.No)]
    [InlineData(2, "2001:db8:2::1", 443, MatchResult.Yes)] // hash:net,port inet6
    [InlineData(2, "2001:db8:1::1", 443, MatchResult.No)] // its /48 nomatch
    [InlineData(2, "2001:db8:2::1", 80, MatchResult.No)]
    public void Ipv6_sets_look_up_ipv6_packets(int rule, string source, int port, MatchResult expected) =>
        Assert.Equal(expected, Rule(rule, source, "2001:db8:77::1", port, ipVersion: 6));

    [Fact]
    public void An_ipv4_set_never_holds_an_ipv6_packet() =>
        Assert.Equal(MatchResult.No, Input(4).Rules[0].Matches.OfType<SetLookupMatch>().Single().Evaluate(Packets.Syn("2001:db8::1", "2001:db8:77::1", 8080)));

    [Theory]
    [InlineData(7, "10.5.5.5", "eth0", MatchResult.Yes)] // hash:net,iface src,src: the address and the incoming interface
    [InlineData(7, "10.5.5.5", "eth1", MatchResult.No)]
    [InlineData(7, "10.1.9.9", "eth0", MatchResult.No)] // its /16 nomatch on eth0
    [InlineData(7, "10.2.0.1", "eth1", MatchResult.Unknown)] // a physdev: entry names a bridge port, not followed
    [InlineData(7, "192.0.2.1", "eth0", MatchResult.No)]
    [InlineData(12, "10.5.5.5", "eth0", MatchResult.No)] // src,dst: no outgoing interface on the input path, no lookup
    [InlineData(13, "10.5.5.5", "eth0", MatchResult.Yes)] // wildcard entry 'et': a prefix
    [InlineData(13, "10.5.5.5", "veth0", MatchResult.No)]
    [InlineData(13, "10.5.5.5", "e", MatchResult.No)]
    public void Net_and_interface_sets_look_up_the_address_with_the_interface_the_flag_names(int rule, string source, string inInterface, MatchResult expected) =>
        Assert.Equal(expected, Input(4).Rules[rule - 1].Evaluate(Packets.Syn(source, "10.77.0.1", 8080, inInterface)));

    [Theory]
    [InlineData(11, "10.1.9.9", MatchResult.Yes)] // --return-nomatch: the lookup finds the /16 nomatch entry
    [InlineData(11, "10.1.2.3", MatchResult.No)] // an ordinary entry inside it: found, so no match
    [InlineData(11, "10.5.5.5", MatchResult.No)]
    [InlineData(11, "192.0.2.1", MatchResult.No)] // not in the set at all
    [InlineData(9, "10.0.0.1", MatchResult.Yes)] // hash:ip has no nomatch entries: --return-nomatch changes nothing
    [InlineData(9, "10.0.0.3", MatchResult.No)]
    [InlineData(14, "10.0.0.1", MatchResult.Yes)] // list:set: its hash:ip member as without the flag
    [InlineData(14, "10.1.9.9", MatchResult.Yes)] // its hash:net member's nomatch entry
    [InlineData(14, "10.5.5.5", MatchResult.No)] // that member's ordinary entry
    public void Return_nomatch_matches_what_the_lookup_finds_a_nomatch_entry_for(int rule, string source, MatchResult expected) =>
        Assert.Equal(expected, Rule(rule, source, "10.77.0.1", 8080));

    [Fact]
    public void Every_match_set_rule_of_the_capture_is_understood()
    {
        Assert.All(Input(4).Rules.Concat(Input(6).Rules), r => Assert.Null(r.UnknownReason));
        Assert.True(Input(4).Rules[10].Matches.OfType<SetLookupMatch>().Single().ReturnsNomatch);
        Assert.Empty(Input(4).Rules[3].Matches.OfType<UnknownMatch>()); // ! --update-counters changes no verdict
    }

    [Fact]
    public void Wildcard_and_nomatch_entries_in_one_net_and_interface_set_are_unknown_naming_why()
    {
        // The kernel's most-specific lookup crosses the entries of a wildcard and an exact interface there.
        var sets = IpsetSaveParser.Parse("create w hash:net,iface family inet\nadd w 10.1.0.0/16,eth0 nomatch\nadd w 10.0.0.0/8,et wildcard\n", "t");
        Assert.Equal("wildcard and nomatch entries in one hash:net,iface set", sets.Sets["w"].Unsupported);
        Assert.Equal(MatchResult.Unknown, SetModule.Compile(sets, "w", "src,src", false).Evaluate(Packets.Syn("10.5.5.5", "10.77.0.1", 8080)));
    }

    [Fact]
    public void Without_the_contents_or_the_set_a_lookup_is_unknown()
    {
        Assert.Equal("--match-set ip src (set contents not read)", SetModule.Compile(null, "ip", "src", false).UnknownReason);
        Assert.Equal("--match-set gone src (no set 'gone' in ipset save)", SetModule.Compile(Sets, "gone", "src", false).UnknownReason);
        Assert.Equal("--match-set ip src,bogus (flags)", SetModule.Compile(Sets, "ip", "src,bogus", false).UnknownReason);
    }

    [Fact]
    public void A_set_with_more_dimensions_than_flags_never_matches()
    {
        var packet = Packets.Syn("10.0.0.1", "10.77.0.1", 80);
        Assert.Equal(MatchResult.No, SetModule.Compile(Sets, "ipport", "src", false).Evaluate(packet));
        Assert.Equal(MatchResult.Yes, SetModule.Compile(Sets, "ipport", "src", true).Evaluate(packet));
        Assert.Equal(MatchResult.Yes, SetModule.Compile(Sets, "ipport", "src,dst,dst", false).Evaluate(packet)); // extra flags are ignored
    }

    [Fact]
    public void The_client_port_is_not_known_so_a_source_port_lookup_can_be_unknown()
    {
        var sets = IpsetSaveParser.Parse("create p bitmap:port range 1024-65535\nadd p 40000\n", "t");
        Assert.Equal(MatchResult.Unknown, SetModule.Compile(sets, "p", "src", false).Evaluate(Packets.Syn("203.0.113.1", "10.77.0.1", 8080)));
    }

    [Theory]
    [InlineData("add x 10.0.0.1\n", "line 1: entry of set 'x' before its create line")]
    [InlineData("create x hash:ip\ncreate x hash:ip\n", "line 2: set 'x' created twice")]
    [InlineData("flush x\n", "line 1: expected 'create NAME TYPE' or 'add NAME ELEMENT'")]
    [InlineData("destroy x all\n", "line 1: unknown command 'destroy'")]
    [InlineData("create x hash:ip\nadd x 2001:db8::1\n", "line 2: bad address '2001:db8::1' for a family inet set")]
    [InlineData("create x hash:ip,port\nadd x 10.0.0.1\n", "line 2: hash:ip,port entry needs 2 part(s) separated by ','")]
    [InlineData("create x hash:ip,port\nadd x 10.0.0.1,tcp:http\n", "line 2: bad port 'http'")]
    [InlineData("create x hash:ip,port\nadd x 10.0.0.1,bogus:1\n", "line 2: unknown protocol 'bogus'")]
    [InlineData("create x hash:ip family ipx\n", "line 1: unknown family 'ipx'")]
    [InlineData("create x hash:ip netmask 33\n", "line 1: netmask 33 out of range")]
    [InlineData("create x hash:ip netmask\n", "line 1: 'netmask' needs a value")]
    [InlineData("create x hash:net comment\nadd x 10.0.0.0/8 comment \"open\n", "line 2: unclosed quote")]
    [InlineData("create x hash:ip\0\n", "input: binary data (NUL byte) in a text dump")]
    public void A_broken_dump_names_the_line(string text, string message)
    {
        var e = Assert.Throws<FirewallParseException>(() => IpsetSaveParser.Parse(text, "ipset save"));
        Assert.StartsWith($"ipset save: {message}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runaway_dump_is_refused()
    {
        var text = "create x hash:ip\n" + string.Concat(Enumerable.Range(1, 3).Select(i => $"add x 10.0.0.{i}\n"));
        Assert.Equal(3, IpsetSaveParser.Parse(text, "t", maxEntries: 3).Sets["x"].Entries);
        Assert.Contains("more than 2 entries", Assert.Throws<FirewallParseException>(() => IpsetSaveParser.Parse(text, "t", maxEntries: 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_large_blocklist_is_one_lookup_group_not_one_element_per_entry()
    {
        // 131,072 addresses and nets (a country blocklist's size): grouped, a lookup is a binary search.
        var text = new System.Text.StringBuilder("create big hash:net family inet hashsize 65536 maxelem 262144\n");
        for (var i = 0; i < 65536; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"add big 100.{i >> 8}.{i & 255}.1\nadd big 101.{i >> 8}.{i & 255}.0/24\n");
        }

        var set = IpsetSaveParser.Parse(text.ToString(), "t").Sets["big"];
        Assert.Equal(131072, set.Entries);
        Assert.Single(set.Elements);
        var match = SetModule.Compile(new IpsetCatalog(new Dictionary<string, IpsetSet> { ["big"] = set }), "big", "src", false);
        Assert.Equal(MatchResult.Yes, match.Evaluate(Packets.Syn("100.200.17.1", "10.77.0.1", 80)));
        Assert.Equal(MatchResult.No, match.Evaluate(Packets.Syn("100.200.17.2", "10.77.0.1", 80)));
        Assert.Equal(MatchResult.Yes, match.Evaluate(Packets.Syn("101.255.255.77", "10.77.0.1", 80)));
    }

    [Fact]
    public void Nomatch_nests_to_any_depth_by_prefix_length()
    {
        // Entries added in any order; the most specific one that holds an address decides.
        var sets = IpsetSaveParser.Parse(
            "create n hash:net\nadd n 10.1.2.3 nomatch\nadd n 10.1.2.0/24\nadd n 10.0.0.0/8\nadd n 10.1.0.0/16 nomatch\n", "t");
        var match = SetModule.Compile(sets, "n", "src", false);
        Assert.Equal(
            [MatchResult.Yes, MatchResult.No, MatchResult.Yes, MatchResult.No],
            ((string[])["10.9.9.9", "10.1.9.9", "10.1.2.4", "10.1.2.3"]).Select(a => match.Evaluate(Packets.Syn(a, "10.77.0.1", 80))));
        // 10.0.0.0-10.0.255.255, 10.1.2.0-10.1.2.2, 10.1.2.4-10.1.2.255, 10.2.0.0-10.255.255.255: one group, four ranges.
        Assert.Equal(4, ((NumericValues)Assert.Single(sets.Sets["n"].Elements)[0]).Set.RangeCount);
    }
}
