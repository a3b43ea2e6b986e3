using System.Net;
using PortExporter.Core.Probes;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Probes;

/// <summary>
/// Four network namespaces for the probe tests, nothing on the host's own interfaces:
/// <code>
///  client 10.3.0.2 ──lan── 10.3.0.1 server 10.1.0.1 ──dmz── 10.1.0.254 router 10.2.0.254 ──wan── 10.2.0.1 outside
/// </code>
/// The server's default route goes through the router, the outside's too, so outside and server reach each other
/// only routed. The router maps its public 10.2.0.254:8002 and :8003 to the server's 10.1.0.1:7002 and :7003 (DNAT,
/// with masquerade so the server can reach itself through it); 10.2.0.254:8009 is mapped nowhere.
/// The server runs, each behind the firewall rule named (rules match traffic arriving on lan0 or dmz0, never lo):
/// tcp 8080 open; 8081 closed; 9001 DROP; 9002 REJECT icmp-port-unreachable; 9003 REJECT icmp-admin-prohibited;
/// 9004 REJECT tcp-reset; 9005 REJECT icmp-host-unreachable (9001-9005 all have listeners: the rule decides);
/// udp 5353 answers (an echo that says "SECRET-BANNER"), 5354 closed, 9001 DROP, 9003 admin-prohibited,
/// 9005 host-unreachable. For the collector: tcp 7001 listens on 127.0.0.1 only (wrong bind); 7002 listens on
/// 0.0.0.0 and dmz0 DROPs it; 7003 listens on 0.0.0.0 and dmz0 REJECTs it with icmp-admin-prohibited.
/// </summary>
public sealed class ProbeLab : IDisposable
{
    public static readonly IPAddress ServerLan = IPAddress.Parse("10.3.0.1");
    public static readonly IPAddress ServerDmz = IPAddress.Parse("10.1.0.1");
    public static readonly IPAddress RouterPublic = IPAddress.Parse("10.2.0.254");
    public static readonly IPAddress Outside = IPAddress.Parse("10.2.0.1");

    public ProbeLab()
    {
        Server = new Netns("psrv");
        Client = new Netns("pcli");
        Router = new Netns("prtr");
        OutsideNs = new Netns("pout");
        try
        {
            Build();
            ServerThread = new NetnsThread(Server);
            ClientThread = new NetnsThread(Client);
            OutsideThread = new NetnsThread(OutsideNs);
            _udpServices = [.. ((int[])[5353, 9001, 9003, 9005]).Select(port => new UdpEcho(ServerThread, port))];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private readonly List<UdpEcho> _udpServices = [];

    public Netns Server { get; }

    public Netns Client { get; }

    public Netns Router { get; }

    public Netns OutsideNs { get; }

    public NetnsThread ServerThread { get; } = null!;

    public NetnsThread ClientThread { get; } = null!;

    public NetnsThread OutsideThread { get; } = null!;

    public TcpProber ClientTcp(Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null) =>
        new(ClientThread.Network(resolve), TimeProvider.System);

    public UdpProber ClientUdp() => new(ClientThread.Network(), TimeProvider.System);

    public static DateTimeOffset In(double seconds) => DateTimeOffset.UtcNow.AddSeconds(seconds);

    public void Dispose()
    {
        foreach (var service in _udpServices)
        {
            service.Dispose();
        }

        ServerThread?.Dispose();
        ClientThread?.Dispose();
        OutsideThread?.Dispose();
        Server.Dispose();
        Client.Dispose();
        Router.Dispose();
        OutsideNs.Dispose();
    }

    private void Build()
    {
        Server.Link("lan0", "10.3.0.1/24", Client, "lan0", "10.3.0.2/24");
        Server.Link("dmz0", "10.1.0.1/24", Router, "dmz0", "10.1.0.254/24");
        Router.Link("wan0", "10.2.0.254/24", OutsideNs, "wan0", "10.2.0.1/24");
        Server.Exec("ip", "route", "add", "default", "via", "10.1.0.254");
        OutsideNs.Exec("ip", "route", "add", "default", "via", "10.2.0.254");
        Router.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        Router.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-d", "10.2.0.254", "-p", "tcp", "--dport", "8002", "-j", "DNAT", "--to-destination", "10.1.0.1:7002");
        Router.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-d", "10.2.0.254", "-p", "tcp", "--dport", "8003", "-j", "DNAT", "--to-destination", "10.1.0.1:7003");
        Router.Exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.1.0.0/24", "-d", "10.1.0.1", "-j", "MASQUERADE");

        Tcp(8080);
        foreach (var port in (int[])[9001, 9002, 9003, 9004, 9005])
        {
            Tcp(port);
        }

        Server.Start("socat", "TCP-LISTEN:7001,bind=127.0.0.1,fork,reuseaddr", "SYSTEM:echo SECRET-BANNER");
        Server.WaitForListener(7001);
        Tcp(7002);
        Tcp(7003);
        Server.Exec("iptables", "-A", "INPUT", "-i", "dmz0", "-p", "tcp", "--dport", "7002", "-j", "DROP");
        Server.Exec("iptables", "-A", "INPUT", "-i", "dmz0", "-p", "tcp", "--dport", "7003", "-j", "REJECT", "--reject-with", "icmp-admin-prohibited");


        Rule("tcp", 9001, "DROP");
        Rule("tcp", 9002, "REJECT", "--reject-with", "icmp-port-unreachable");
        Rule("tcp", 9003, "REJECT", "--reject-with", "icmp-admin-prohibited");
        Rule("tcp", 9004, "REJECT", "--reject-with", "tcp-reset");
        Rule("tcp", 9005, "REJECT", "--reject-with", "icmp-host-unreachable");
        Rule("udp", 9001, "DROP");
        Rule("udp", 9003, "REJECT", "--reject-with", "icmp-admin-prohibited");
        Rule("udp", 9005, "REJECT", "--reject-with", "icmp-host-unreachable");
    }

    private void Tcp(int port)
    {
        Server.Start("socat", $"TCP-LISTEN:{port},fork,reuseaddr", "SYSTEM:echo SECRET-BANNER");
        Server.WaitForListener(port);
    }

    private void Rule(string protocol, int port, params string[] target) =>
        Server.Exec(["iptables", "-A", "INPUT", "-i", "lan0", "-p", protocol, "--dport", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", .. target]);
}
