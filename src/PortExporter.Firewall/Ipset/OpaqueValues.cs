using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Ipset;

/// <summary>A component the simulator cannot compare (the ICMP type/code of a <c>hash:ip,port</c> entry): always unknown.</summary>
internal sealed class OpaqueValues : FieldValues
{
    public static OpaqueValues Instance { get; } = new();

    public override MatchResult Test(PacketField field, PacketState packet) => MatchResult.Unknown;
}
