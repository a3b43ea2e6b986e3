using System.Net;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary>Simulated first packets for match-level tests.</summary>
public static class Packets
{
    public static PacketState Syn(string source, string destination, int port, string inInterface = "eth0", bool udp = false) => new()
    {
        IpVersion = IPAddress.Parse(destination).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4,
        Protocol = udp ? PacketState.Udp : PacketState.Tcp,
        TcpFlags = udp ? (byte)0 : PacketState.TcpSyn,
        Source = PacketState.Encode(IPAddress.Parse(source)),
        Destination = PacketState.Encode(IPAddress.Parse(destination)),
        DestinationAddress = IPAddress.Parse(destination),
        DestinationPort = port,
        InInterface = inInterface,
        OutInterface = string.Empty,
        Mark = 0,
        SourceIsLocal = false,
    };
}
