namespace PortExporter.Core.Diagnosis;

/// <summary>The label words of <see cref="Cause"/>.</summary>
public static class CauseNames
{
    public static IReadOnlyList<Cause> All { get; } = Enum.GetValues<Cause>();

    public static string ToLabel(this Cause cause) => cause switch
    {
        Cause.Ok => "ok",
        Cause.ProcessDown => "process_down",
        Cause.NotListening => "not_listening",
        Cause.NotAccepting => "not_accepting",
        Cause.LoopbackOnly => "loopback_only",
        Cause.WrongAddress => "wrong_address",
        Cause.FirewallBlocked => "firewall_blocked",
        Cause.SelinuxDenied => "selinux_denied",
        Cause.NatOrUpstream => "nat_or_upstream",
        Cause.Exposed => "exposed",
        _ => "unknown",
    };
}
