namespace PortExporter.Core.Selinux;

/// <summary>Whether the collector asks <c>semanage port -l</c> for the policy's port table.</summary>
public enum SemanageUse
{
    /// <summary>Only when <c>--path.rootfs</c> is <c>/</c>: semanage reads the host it runs on, not a mounted root.</summary>
    Auto,

    /// <summary>Always (the runner is trusted to answer for the rootfs).</summary>
    Always,

    /// <summary>Never: only the local customisation files are read.</summary>
    Never,
}
