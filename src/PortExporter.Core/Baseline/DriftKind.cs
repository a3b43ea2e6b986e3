namespace PortExporter.Core.Baseline;

/// <summary>What changed on a port since the baseline: the <c>kind</c> label of <c>port_baseline_drift</c>.</summary>
public enum DriftKind
{
    /// <summary>A listener appeared where none was, or every listener went away.</summary>
    Listener,

    /// <summary>The port is listened on at other addresses (0.0.0.0 became 127.0.0.1).</summary>
    Bind,

    /// <summary>Another process holds the port, or the configured unit's state changed.</summary>
    Process,

    /// <summary>The firewall's verdict for a source, or the rule deciding it, changed.</summary>
    Verdict,

    /// <summary>The SELinux port type changed.</summary>
    Selinux,

    /// <summary>The NAT redirect or the external endpoints changed.</summary>
    Path,

    /// <summary>The port's intent (expose, origin) or service name changed.</summary>
    Intent,

    /// <summary>A watched port the baseline does not have: a new exposure.</summary>
    NewPort,

    /// <summary>A port of the baseline that is no longer watched.</summary>
    GonePort,

    /// <summary>A firewall backend's ruleset changed (host-wide, not a port's).</summary>
    Ruleset,
}

/// <summary>The label words of <see cref="DriftKind"/>.</summary>
public static class DriftKindNames
{
    public static IReadOnlyList<DriftKind> All { get; } = Enum.GetValues<DriftKind>();

    public static string ToLabel(this DriftKind kind) => kind switch
    {
        DriftKind.Listener => "listener",
        DriftKind.Bind => "bind",
        DriftKind.Process => "process",
        DriftKind.Verdict => "verdict",
        DriftKind.Selinux => "selinux",
        DriftKind.Path => "path",
        DriftKind.Intent => "intent",
        DriftKind.NewPort => "new_port",
        DriftKind.GonePort => "gone_port",
        _ => "ruleset",
    };
}
