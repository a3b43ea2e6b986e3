namespace PortExporter.Core.Selinux;

/// <summary>SELinux mode, with node_exporter's numeric encoding.</summary>
public enum SelinuxMode
{
    Disabled = -1,
    Permissive = 0,
    Enforcing = 1,
}
