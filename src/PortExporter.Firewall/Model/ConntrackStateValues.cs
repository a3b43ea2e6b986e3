namespace PortExporter.Firewall.Model;

/// <summary>A set of conntrack states: the packet matches when its state is one of them.</summary>
public sealed class ConntrackStateValues(ConntrackStates states) : FieldValues
{
    public ConntrackStates States { get; } = states;

    public override MatchResult Test(PacketField field, PacketState packet) =>
        field == PacketField.ConntrackState ? MatchResults.Of((States & packet.ConntrackState) != 0) : MatchResult.Unknown;
}
