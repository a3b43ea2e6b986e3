namespace PortExporter.Firewall;

/// <summary>The transport a watched port speaks.</summary>
public enum TransportProtocol
{
    Tcp,
    Udp,
}

/// <summary>Lower-case label values for <see cref="TransportProtocol"/>.</summary>
public static class TransportProtocolNames
{
    public static string ToLabel(this TransportProtocol protocol) => protocol == TransportProtocol.Udp ? "udp" : "tcp";

    public static bool TryParse(string? text, out TransportProtocol protocol)
    {
        switch (text)
        {
            case "tcp":
                protocol = TransportProtocol.Tcp;
                return true;
            case "udp":
                protocol = TransportProtocol.Udp;
                return true;
            default:
                protocol = TransportProtocol.Tcp;
                return false;
        }
    }
}
