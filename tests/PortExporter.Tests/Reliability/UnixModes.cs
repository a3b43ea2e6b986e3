namespace PortExporter.Tests.Reliability;

/// <summary>chmod for files the exporter reads as another user (these tests run on Linux only).</summary>
public static class UnixModes
{
    public static void Set(string path, string octal)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the reliability tests run the exporter on Linux");
        }

        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
    }

    /// <summary>Makes <paramref name="path"/> and every folder under it world-readable and traversable (files 644, or 755 when executable).</summary>
    public static void OpenTree(string path)
    {
        Set(path, "755");
        foreach (var dir in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories))
        {
            Set(dir, "755");
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            var executable = OperatingSystem.IsLinux() && (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0;
            Set(file, executable ? "755" : "644");
        }
    }
}
