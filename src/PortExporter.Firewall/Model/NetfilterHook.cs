namespace PortExporter.Firewall.Model;

/// <summary>A netfilter hook a base chain attaches to.</summary>
public enum NetfilterHook
{
    /// <summary>netdev / inet ingress: per device, before prerouting.</summary>
    Ingress,
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}
