using System.Net;
using PortExporter.Core.Network;
using PortExporter.Firewall;
using PortExporter.Firewall.Evaluation;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Network;

/// <summary>The IPv4 reverse path filter as evidence: read from a sysctl tree and fib_triestat, and the verdict it makes.</summary>
public sealed class ReversePathFilterTests
{
    private static readonly FirewallDecision Accepted = new(FirewallVerdict.Accept, FirewallBackends.Nftables, "inet filter", "input", "policy accept");

    /// <summary>eth0 holds the default route; eth1 only its subnet (198.51.100.0/24).</summary>
    private static readonly Func<IPAddress, string?> Routes = address =>
        IPNetwork.Parse("198.51.100.0/24").Contains(address) ? "eth1"
        : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "eth0"
        : null;

    private static SimulatedConnection Arriving(string ingress, string source = "203.0.113.1", string address = "198.51.100.1") =>
        new(ConnectionOrigin.Outside, IPAddress.Parse(source), IPAddress.Parse(address), ingress, TransportProtocol.Tcp, 8080);

    private static ReversePathFilter Filter(int all, int? eth1 = null, bool otherTables = false) =>
        new(all, eth1 is { } e ? [KeyValuePair.Create("eth1", e)] : [], otherTables);

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Network", "fixtures", "fib_triestat", name));

    [Fact]
    public void Strict_mode_drops_what_comes_in_where_the_route_back_does_not_leave()
    {
        var decision = ReversePathFilter.Gate(Accepted, Arriving("eth1"), Filter(1), Routes);

        Assert.Equal(FirewallVerdict.Drop, decision.Verdict);
        Assert.Equal(ForwardingSysctls.VerdictBackend, decision.Backend);
        Assert.Equal("net.ipv4.conf.all.rp_filter = 1", decision.Rule);
        Assert.Equal("prerouting -> reverse path check failed (net.ipv4.conf.all.rp_filter = 1)", decision.Path);
        Assert.Contains("the host's route back to 203.0.113.1 leaves by eth0, not by eth1", decision.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stricter_of_all_and_the_interface_decides_and_is_named()
    {
        Assert.Equal("net.ipv4.conf.eth1.rp_filter = 1", ReversePathFilter.Gate(Accepted, Arriving("eth1"), Filter(0, 1), Routes).Rule);
        Assert.Equal("net.ipv4.conf.all.rp_filter = 1", ReversePathFilter.Gate(Accepted, Arriving("eth1"), Filter(1, 0), Routes).Rule);
        Assert.Same(Accepted, ReversePathFilter.Gate(Accepted, Arriving("eth1"), Filter(0, 2), Routes));
    }

    [Fact]
    public void Loose_mode_drops_only_what_has_no_route_back()
    {
        Func<IPAddress, string?> none = _ => null;
        Assert.Same(Accepted, ReversePathFilter.Gate(Accepted, Arriving("eth1"), Filter(2), Routes));
        Assert.Equal("net.ipv4.conf.all.rp_filter = 2", ReversePathFilter.Gate(Accepted, Arriving("eth1"), Filter(2), none).Rule);
    }

    public static TheoryData<string, FirewallDecision, SimulatedConnection, ReversePathFilter?> Unchanged => new()
    {
        { "the route back leaves where it came in", Accepted, Arriving("eth0", address: "10.77.0.1"), Filter(1) },
        { "a client on eth1's own subnet", Accepted, Arriving("eth1", source: "198.51.100.7"), Filter(1) },
        { "filter off", Accepted, Arriving("eth1"), Filter(0) },
        { "other routing tables (policy routing)", Accepted, Arriving("eth1"), Filter(1, otherTables: true) },
        { "not read", Accepted, Arriving("eth1"), null },
        { "the host's own connection", Accepted, Arriving("lo", source: "127.0.0.1", address: "127.0.0.1"), Filter(1) },
        { "IPv6 (no rp_filter)", Accepted, Arriving("eth1", "2001:db8::1", "2001:db8:78::1"), Filter(1) },
        { "the rules drop it already", Accepted with { Verdict = FirewallVerdict.Drop, Rule = "tcp dport 8080 drop" }, Arriving("eth1"), Filter(1) },
    };

    [Theory]
    [MemberData(nameof(Unchanged))]
    public void Any_other_decision_is_left_as_the_rules_made_it(string scenario, FirewallDecision decision, SimulatedConnection connection, ReversePathFilter? filter)
    {
        Assert.True(ReferenceEquals(decision, ReversePathFilter.Gate(decision, connection, filter, Routes)), scenario);
    }

    [Fact]
    public void Other_routing_tables_are_read_from_fib_triestat()
    {
        Assert.False(ReversePathFilter.HasOtherTables(Fixture("main-only.txt")));
        Assert.True(ReversePathFilter.HasOtherTables(Fixture("table-100.txt")));
    }

    [Fact]
    public void The_sysctls_are_read_per_interface_and_a_tree_without_them_is_no_data()
    {
        using var dir = new TempDir();
        dir.File("sys/ipv4/conf/all/rp_filter", "0\n");
        dir.File("sys/ipv4/conf/eth1/rp_filter", "1\n");
        dir.File("sys/ipv4/conf/eth0/rp_filter", "2\n");
        var triestat = dir.File("fib_triestat", Fixture("main-only.txt"));

        var read = ReversePathFilter.Read(Path.Combine(dir.Path, "sys"), triestat, ["lo", "eth1", "eth0"]);

        Assert.NotNull(read);
        Assert.Equal(0, read.All);
        Assert.Equal([KeyValuePair.Create("eth0", 2), KeyValuePair.Create("eth1", 1)], read.ByInterface);
        Assert.False(read.OtherTables);
        Assert.Equal((1, "net.ipv4.conf.eth1.rp_filter"), read.On("eth1"));
        Assert.Equal((0, "net.ipv4.conf.all.rp_filter"), read.On("wg0"));
        Assert.True(ReversePathFilter.Read(Path.Combine(dir.Path, "sys"), Path.Combine(dir.Path, "missing"), ["eth1"])!.OtherTables);
        Assert.Null(ReversePathFilter.Read(Path.Combine(dir.Path, "missing"), triestat, ["eth1"]));
    }
}
