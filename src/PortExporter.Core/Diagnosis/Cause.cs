namespace PortExporter.Core.Diagnosis;

/// <summary>
/// The root-cause vocabulary. The alert rules, dashboards and docs depend on the label words
/// (<see cref="CauseNames.ToLabel"/>); the order is the order the case reasons in. <see cref="Cause.Exposed"/> is
/// the opposite promise broken: reachable from where the port's intent says it must not be (a security finding).
/// </summary>
public enum Cause
{
    Ok,
    ProcessDown,
    NotListening,
    NotAccepting,
    LoopbackOnly,
    WrongAddress,
    FirewallBlocked,
    SelinuxDenied,
    NatOrUpstream,
    Exposed,
    Unknown,
}
