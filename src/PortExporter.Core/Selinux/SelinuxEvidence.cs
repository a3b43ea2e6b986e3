namespace PortExporter.Core.Selinux;

/// <summary>The SELinux collector's result.</summary>
/// <param name="Enabled">selinuxfs is mounted and SELinux is on.</param>
/// <param name="CurrentMode">From selinuxfs enforce.</param>
/// <param name="ConfigMode">From /etc/selinux/config, null when the file is absent.</param>
/// <param name="Ports">Per watched port; empty when SELinux is not enabled.</param>
/// <param name="PolicyType">The policy name (SELINUXTYPE) whose files were read.</param>
/// <param name="LabelTableOrigin">Where the port table came from (semanage, ports.local or none).</param>
/// <param name="LabelTableComplete">True when the port table holds the whole policy, so an unlisted port is known to be unlisted.</param>
/// <param name="AuditLog">How reading the audit log went; null when SELinux is not enabled.</param>
public sealed record SelinuxEvidence(
    bool Enabled,
    SelinuxMode CurrentMode,
    SelinuxMode? ConfigMode,
    IReadOnlyDictionary<PortKey, SelinuxPortResult> Ports,
    string? PolicyType = null,
    string? LabelTableOrigin = null,
    bool LabelTableComplete = false,
    AuditLogStatus? AuditLog = null)
{
    /// <summary>True when the kernel enforces the policy now.</summary>
    public bool Enforcing => Enabled && CurrentMode == SelinuxMode.Enforcing;
}
