namespace PortExporter.Core.Selinux;

/// <summary>Whether the audit log could be read in a collection.</summary>
public enum AuditLogState
{
    /// <summary>The file does not exist (auditd not installed, or logging elsewhere): no denial data.</summary>
    Missing,

    /// <summary>The file or its directory is not readable by the exporter: denials are unknown.</summary>
    Unreadable,

    /// <summary>New bytes (if any) were read.</summary>
    Read,
}
