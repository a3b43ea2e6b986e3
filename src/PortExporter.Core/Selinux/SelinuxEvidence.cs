namespace PortExporter.Core.Selinux;

/// <summary>The SELinux collector's result.</summary>
/// <param name="Enabled">selinuxfs is mounted and SELinux is on.</param>
/// <param name="CurrentMode">From selinuxfs enforce.</param>
/// <param name="ConfigMode">From /etc/selinux/config, null when the file is absent.</param>
/// <param name="Ports">Per watched port.</param>
public sealed record SelinuxEvidence(
    bool Enabled,
    SelinuxMode CurrentMode,
    SelinuxMode? ConfigMode,
    IReadOnlyDictionary<PortKey, SelinuxPortResult> Ports);
