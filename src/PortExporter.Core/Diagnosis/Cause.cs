namespace PortExporter.Core.Diagnosis;

/// <summary>
/// The root-cause vocabulary. The alert rules, dashboards and docs depend on the label words
/// (<see cref="CauseNames.ToLabel"/>); the order is the order the case reasons in.
/// </summary>
public enum Cause
{
    Ok,
    ProcessDown,
    NotListening,
    LoopbackOnly,
    WrongAddress,
    FirewallBlocked,
    SelinuxDenied,
    NatOrUpstream,
    Unknown,
}
