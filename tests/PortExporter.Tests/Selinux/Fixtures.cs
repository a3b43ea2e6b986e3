using PortExporter.Core;

namespace PortExporter.Tests.Selinux;

/// <summary>Paths of the SELinux fixture trees and scratch copies of them.</summary>
internal static class Fixtures
{
    public static string Dir(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Selinux", "fixtures", .. parts]);

    public static HostPaths Host(string name) => new(Dir(name, "proc"), Dir(name, "sys"), Dir(name, "root"));

    public static string Text(params string[] parts) => File.ReadAllText(Dir(parts));

    /// <summary>A writable copy of a fixture tree in a fresh temp folder (deleted by the caller).</summary>
    public static string CopyToTemp(string name)
    {
        var target = Path.Combine(Path.GetTempPath(), $"pe-selinux-{Guid.NewGuid():N}");
        var source = Dir(name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }
}
