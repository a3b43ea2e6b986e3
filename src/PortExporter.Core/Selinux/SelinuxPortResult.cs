namespace PortExporter.Core.Selinux;

/// <summary>SELinux evidence for one watched port.</summary>
/// <param name="PortType">The policy's port type for the port and protocol, null when unlabelled or unknown.</param>
/// <param name="LabelOk">Whether <see cref="PortType"/> equals the configured <c>selinux_type</c>; null when none was configured.</param>
/// <param name="DenialsByPermission">AVC denials seen for the port, per permission (name_bind, name_connect, node_bind).</param>
/// <param name="LastDenialAt">Time of the newest denial.</param>
/// <param name="LastDenialSourceType">The process type (scontext type) of the newest denial.</param>
/// <param name="Allowed">False when the host enforces and the label is wrong or a denial was seen since the service started.</param>
/// <param name="PortTypeSource">How <see cref="PortType"/> was decided (unknown, policy, local customisation, unlisted).</param>
/// <param name="LastDenialPermission">The permission of the newest denial.</param>
/// <param name="LastDenialComm">The process name of the newest denial.</param>
/// <param name="DenialsSince">
/// The time a denial must be newer than to count against <see cref="Allowed"/>: the start of the process that
/// owns the port's listener when known; the exporter's start when a listener exists but its owner or start
/// time is unknown, or when the socket evidence is missing;
/// null (every denial seen counts) when nothing listens on the port, since the service has not bound it since.
/// </param>
/// <param name="DeniedSinceStart">An enforced denial (permissive=0) newer than <see cref="DenialsSince"/> was seen.</param>
/// <param name="FixCommand">The command that labels the port with the configured type (see <see cref="SelinuxFix"/>).</param>
public sealed record SelinuxPortResult(
    string? PortType,
    bool? LabelOk,
    IReadOnlyDictionary<string, long> DenialsByPermission,
    DateTimeOffset? LastDenialAt,
    string? LastDenialSourceType,
    bool Allowed,
    PortLabelSource PortTypeSource = PortLabelSource.Unknown,
    string? LastDenialPermission = null,
    string? LastDenialComm = null,
    DateTimeOffset? DenialsSince = null,
    bool DeniedSinceStart = false,
    string? FixCommand = null);
