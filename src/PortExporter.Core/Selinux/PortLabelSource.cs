namespace PortExporter.Core.Selinux;

/// <summary>Where a port's SELinux type came from, and so how far it can be trusted.</summary>
public enum PortLabelSource
{
    /// <summary>No port table covers the port: the type is not known (not "unlabelled").</summary>
    Unknown,

    /// <summary>The shipped policy's port contexts (from <c>semanage port -l</c>).</summary>
    Policy,

    /// <summary>A local customisation (<c>semanage port -a</c>), which takes precedence over the policy.</summary>
    LocalCustomisation,

    /// <summary>The full table was read and no port context covers the port: it gets the policy's default port type.</summary>
    Unlisted,
}
