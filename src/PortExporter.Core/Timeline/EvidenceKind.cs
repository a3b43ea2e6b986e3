namespace PortExporter.Core.Timeline;

/// <summary>What a timeline event is a change of: the <c>evidence</c> label of <c>port_evidence_last_change_timestamp_seconds</c>.</summary>
public enum EvidenceKind
{
    /// <summary>The firewall's verdict or deciding rule for one of the port's sources.</summary>
    Firewall,

    /// <summary>A listener appeared, disappeared or changed address.</summary>
    Listener,

    /// <summary>The process holding the listener restarted or changed, or the configured process stopped or started.</summary>
    Process,

    /// <summary>The configured systemd unit's state.</summary>
    Unit,

    /// <summary>The SELinux mode or the port's type.</summary>
    Selinux,

    /// <summary>The first enforced AVC denial for the port since its service started.</summary>
    Avc,

    /// <summary>A probe's result from one vantage.</summary>
    Probe,

    /// <summary>The diagnosis (the root cause named for the port).</summary>
    Diagnosis,
}

/// <summary>The label words of <see cref="EvidenceKind"/>.</summary>
public static class EvidenceKindNames
{
    public static IReadOnlyList<EvidenceKind> All { get; } = Enum.GetValues<EvidenceKind>();

    public static string ToLabel(this EvidenceKind kind) => kind switch
    {
        EvidenceKind.Firewall => "firewall",
        EvidenceKind.Listener => "listener",
        EvidenceKind.Process => "process",
        EvidenceKind.Unit => "unit",
        EvidenceKind.Selinux => "selinux",
        EvidenceKind.Avc => "avc",
        EvidenceKind.Probe => "probe",
        _ => "diagnosis",
    };
}
