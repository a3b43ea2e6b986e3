namespace PortExporter.Core.Configuration;

/// <summary>The <c>selinux:</c> section.</summary>
/// <param name="AuditLog">Audit log path, relative to <c>--path.rootfs</c> when absolute.</param>
public sealed record SelinuxSettings(string AuditLog)
{
    public static SelinuxSettings Default { get; } = new(ConfigDefaults.AuditLog);
}
