namespace PortExporter.Core.Selinux;

/// <summary>One port context of the policy: a protocol, a port range and the SELinux type it gives them.</summary>
/// <param name="Protocol">tcp or udp.</param>
/// <param name="Low">First port of the range.</param>
/// <param name="High">Last port of the range (equal to <paramref name="Low"/> for a single port).</param>
/// <param name="Type">The port type, e.g. <c>http_port_t</c>.</param>
/// <param name="IsLocal">A local customisation (<c>semanage port -a</c>, ports.local), not the shipped policy.</param>
public sealed record PortLabel(TransportProtocol Protocol, int Low, int High, string Type, bool IsLocal)
{
    /// <summary>How many ports the range covers.</summary>
    public int Width => High - Low + 1;

    public bool Covers(PortKey key) => key.Protocol == Protocol && key.Port >= Low && key.Port <= High;
}
