namespace PortExporter.Core.Baseline;

/// <summary>The host name a baseline is for: the kernel's (<c>/proc/sys/kernel/hostname</c> under --path.procfs).</summary>
public static class HostName
{
    public static string Read(HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        try
        {
            var name = File.ReadAllText(paths.Proc("sys", "kernel", "hostname")).Trim();
            return name.Length > 0 ? name : Environment.MachineName;
        }
        catch (IOException)
        {
            return Environment.MachineName;
        }
        catch (UnauthorizedAccessException)
        {
            return Environment.MachineName;
        }
    }
}
