namespace PortExporter.Core.Selinux;

/// <summary>SELinux evidence for one watched port.</summary>
/// <param name="PortType">The policy's port type for the port and protocol, null when unlabelled or unknown.</param>
/// <param name="LabelOk">Whether <see cref="PortType"/> equals the configured <c>selinux_type</c>; null when none was configured.</param>
/// <param name="DenialsByPermission">AVC denials seen for the port, per permission (name_bind, name_connect, node_bind).</param>
/// <param name="LastDenialAt">Time of the newest denial.</param>
/// <param name="LastDenialSourceType">The process type (scontext type) of the newest denial.</param>
/// <param name="Allowed">False when the host enforces and the label is wrong or a denial was seen since the service started.</param>
public sealed record SelinuxPortResult(
    string? PortType,
    bool? LabelOk,
    IReadOnlyDictionary<string, long> DenialsByPermission,
    DateTimeOffset? LastDenialAt,
    string? LastDenialSourceType,
    bool Allowed);
