namespace PortExporter.Core;

/// <summary>
/// The roots every collector reads from (<c>--path.procfs</c>, <c>--path.sysfs</c>, <c>--path.rootfs</c>),
/// so the whole exporter can run against a fixture tree.
/// </summary>
public sealed record HostPaths(string Procfs, string Sysfs, string Rootfs)
{
    public static HostPaths Default { get; } = new("/proc", "/sys", "/");

    public string Proc(params string[] parts) => Combine(Procfs, parts);

    public string Sys(params string[] parts) => Combine(Sysfs, parts);

    /// <summary>A path under the root filesystem; absolute paths are re-rooted.</summary>
    public string Root(string path) => Path.Combine(Rootfs, path.TrimStart('/'));

    private static string Combine(string root, string[] parts)
    {
        var all = new string[parts.Length + 1];
        all[0] = root;
        parts.CopyTo(all, 1);
        return Path.Combine(all);
    }
}
