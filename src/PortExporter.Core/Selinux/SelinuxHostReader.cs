namespace PortExporter.Core.Selinux;

/// <summary>
/// Reads the mode the way libselinux does, through the fixture-able roots: <c>&lt;sysfs&gt;/fs/selinux/enforce</c>
/// ("1" enforcing, "0" permissive; absent when selinuxfs is not mounted, i.e. disabled) and
/// <c>&lt;rootfs&gt;/etc/selinux/config</c>. Stateless, thread-safe.
/// </summary>
public static class SelinuxHostReader
{
    private const int MaxConfigBytes = 64 * 1024;

    /// <exception cref="SelinuxFormatException">selinuxfs <c>enforce</c> holds something other than 0 or 1.</exception>
    public static SelinuxHostState Read(HostPaths paths)
    {
        var enforcePath = paths.Sys("fs", "selinux", "enforce");
        var (enabled, mode) = File.Exists(enforcePath)
            ? (true, ParseEnforce(File.ReadAllText(enforcePath), enforcePath))
            : (false, SelinuxMode.Disabled);

        var configPath = paths.Root("/etc/selinux/config");
        SelinuxConfigFile? config = null;
        string? error = null;
        try
        {
            var info = new FileInfo(configPath);
            if (info.Exists)
            {
                config = info.Length > MaxConfigBytes
                    ? throw new SelinuxFormatException(configPath, "size", info.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), $"larger than {MaxConfigBytes} bytes")
                    : SelinuxConfigParser.Parse(File.ReadAllText(configPath), configPath);
            }
        }
        catch (Exception e) when (e is SelinuxFormatException or IOException or UnauthorizedAccessException)
        {
            error = e.Message;
        }

        return new SelinuxHostState(enabled, mode, config, error);
    }

    /// <summary>The selinuxfs <c>enforce</c> file: "1" or "0", perhaps with a newline.</summary>
    public static SelinuxMode ParseEnforce(string text, string source) => text.Trim() switch
    {
        "1" => SelinuxMode.Enforcing,
        "0" => SelinuxMode.Permissive,
        var other => throw new SelinuxFormatException(source, "enforce", other, "expected 0 or 1"),
    };
}
