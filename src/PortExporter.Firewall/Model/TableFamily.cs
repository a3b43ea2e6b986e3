namespace PortExporter.Firewall.Model;

/// <summary>The family of a table: which packets its base chains see.</summary>
public enum TableFamily
{
    /// <summary>IPv4 only (nft <c>ip</c>, iptables).</summary>
    Ip,

    /// <summary>IPv6 only (nft <c>ip6</c>, ip6tables).</summary>
    Ip6,

    /// <summary>IPv4 and IPv6.</summary>
    Inet,

    /// <summary>Per device (ingress); sees both IP versions.</summary>
    Netdev,

    /// <summary>ARP: never sees a TCP or UDP connection.</summary>
    Arp,

    /// <summary>Bridged frames: on the path to a local socket only for a frame that comes in through a bridge port (the host's address on the bridge).</summary>
    Bridge,
}

/// <summary>Names and applicability of <see cref="TableFamily"/>.</summary>
public static class TableFamilyNames
{
    public static string ToLabel(this TableFamily family) => family switch
    {
        TableFamily.Ip => "ip",
        TableFamily.Ip6 => "ip6",
        TableFamily.Inet => "inet",
        TableFamily.Netdev => "netdev",
        TableFamily.Arp => "arp",
        _ => "bridge",
    };

    public static bool TryParse(string? text, out TableFamily family)
    {
        family = text switch
        {
            "ip" => TableFamily.Ip,
            "ip6" => TableFamily.Ip6,
            "inet" => TableFamily.Inet,
            "netdev" => TableFamily.Netdev,
            "arp" => TableFamily.Arp,
            "bridge" => TableFamily.Bridge,
            _ => (TableFamily)(-1),
        };
        return (int)family >= 0;
    }

    /// <summary>True when base chains of this family see IP packets of <paramref name="ipVersion"/> (4 or 6).</summary>
    public static bool Sees(this TableFamily family, int ipVersion) => family switch
    {
        TableFamily.Ip => ipVersion == 4,
        TableFamily.Ip6 => ipVersion == 6,
        TableFamily.Inet or TableFamily.Netdev => true,
        _ => false,
    };
}
