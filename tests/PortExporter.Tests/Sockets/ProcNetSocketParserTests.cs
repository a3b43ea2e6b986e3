using System.Net;
using PortExporter.Core;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Sockets;

public sealed class ProcNetSocketParserTests
{
    [Fact]
    public void Reads_ipv4_tcp_listeners_and_skips_established_connections()
    {
        var listeners = ProcNetSocketParser.Parse(Fixtures.Text("mixed", "tcp"), SocketTable.Tcp);

        Assert.Equal(
            [
                "0.0.0.0:8001 60001", "0.0.0.0:8010 60019", "0.0.0.0:8010 60013", "0.0.0.0:8012 60025",
                "127.0.0.1:8002 59992", "10.200.0.1:8003 60007",
            ],
            listeners.Select(l => $"{l.Address}:{l.Port} {l.Inode}"));
        Assert.All(listeners, l => Assert.Equal(TransportProtocol.Tcp, l.Protocol));
        Assert.All(listeners, l => Assert.Null(l.V6Only));
        Assert.Equal(
            [ListenerScope.Wildcard, ListenerScope.Wildcard, ListenerScope.Wildcard, ListenerScope.Wildcard, ListenerScope.Loopback, ListenerScope.Address],
            listeners.Select(l => l.Scope));
    }

    [Fact]
    public void Keeps_both_so_reuseport_listeners_of_one_address_and_port()
    {
        var listeners = ProcNetSocketParser.Parse(Fixtures.Text("mixed", "tcp"), SocketTable.Tcp);

        var reuse = listeners.Where(l => l.Port == 8010).ToList();
        Assert.Equal(2, reuse.Count);
        Assert.NotEqual(reuse[0].Inode, reuse[1].Inode);
    }

    [Fact]
    public void Reads_ipv6_tcp_listeners_with_the_bindv6only_default_on_wildcards_only()
    {
        var listeners = ProcNetSocketParser.Parse(Fixtures.Text("mixed", "tcp6"), SocketTable.Tcp6, v6OnlyDefault: false);

        Assert.Equal(
            ["2001:db8::1:8007 address", ":::8005 wildcard", ":::8004 wildcard", "::1:8006 loopback"],
            listeners.Select(l => $"{l.Address}:{l.Port} {l.Scope.ToLabel()}"));
        // IPV6_V6ONLY is not in /proc/net/tcp6: both [::] listeners get the sysctl default (0 here), although
        // ss (sock_diag) shows v6only:1 for 8005, which set the option itself.
        Assert.Equal([null, false, false, null], listeners.Select(l => l.V6Only));
    }

    [Fact]
    public void Reads_bound_udp_sockets_and_skips_connected_ones()
    {
        var udp = ProcNetSocketParser.Parse(Fixtures.Text("mixed", "udp"), SocketTable.Udp);
        var udp6 = ProcNetSocketParser.Parse(Fixtures.Text("mixed", "udp6"), SocketTable.Udp6, v6OnlyDefault: false);

        Assert.Equal(["0.0.0.0:8008 60010", "127.0.0.1:8009 60004"], udp.Select(l => $"{l.Address}:{l.Port} {l.Inode}"));
        Assert.Equal([":::8011 60022"], udp6.Select(l => $"{l.Address}:{l.Port} {l.Inode}"));
        Assert.All(udp.Concat(udp6), l => Assert.Equal(TransportProtocol.Udp, l.Protocol));
    }

    [Fact]
    public void Agrees_with_ss_on_every_listener_of_the_capture()
    {
        var parsed = SocketTable.All
            .SelectMany(t => ProcNetSocketParser.Parse(Fixtures.Text("mixed", t.FileName), t, v6OnlyDefault: false))
            .Select(l => $"{l.Protocol.ToLabel()} {l.Address}:{l.Port} ino:{l.Inode}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(SsListeners("mixed").Order(StringComparer.Ordinal), parsed);
    }

    [Fact]
    public void An_empty_table_is_its_header_alone()
    {
        foreach (var table in SocketTable.All)
        {
            Assert.Empty(ProcNetSocketParser.Parse(Fixtures.Text("empty", table.FileName), table));
        }
    }

    [Fact]
    public void Passes_the_bindv6only_default_to_a_wildcard_listener()
    {
        var listener = Assert.Single(ProcNetSocketParser.Parse(Fixtures.Text("bindv6only", "tcp6"), SocketTable.Tcp6, v6OnlyDefault: true));

        Assert.Equal(IPAddress.IPv6Any, listener.Address);
        Assert.Equal(8020, listener.Port);
        Assert.True(listener.V6Only);
        Assert.False(listener.AcceptsIPv4);
    }

    [Fact]
    public void Reads_an_ipv4_mapped_listener_address()
    {
        // Same layout as the captured tcp6 lines; ::ffff:10.0.0.5 bound by an IPv6 socket.
        const string text = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0000000000000000FFFF00000500000A:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
            """;

        var listener = Assert.Single(ProcNetSocketParser.Parse(text, SocketTable.Tcp6));

        Assert.Equal(IPAddress.Parse("::ffff:10.0.0.5"), listener.Address);
        Assert.True(listener.AcceptsIPv4);
    }

    /// <summary>The LISTEN and UNCONN rows of the ss output saved with the capture, as "tcp ADDRESS:PORT ino:N".</summary>
    private static IEnumerable<string> SsListeners(string caseName)
    {
        foreach (var line in File.ReadLines(Path.Combine(Fixtures.Case(caseName), "ss-tuanpe.txt")).Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] is not ("LISTEN" or "UNCONN"))
            {
                continue;
            }

            var local = fields[4];
            var colon = local.LastIndexOf(':');
            var host = local[..colon].Trim('[', ']');
            var address = host == "*" ? IPAddress.IPv6Any : IPAddress.Parse(host);
            var inode = fields.Single(f => f.StartsWith("ino:", StringComparison.Ordinal));
            yield return $"{fields[0]} {address}:{local[(colon + 1)..]} {inode}";
        }
    }
}
