namespace PortExporter.Core.Commands;

/// <summary>
/// The folders the allowlisted programs are looked up in (<c>--path.commands</c>): absolute folders only, never the
/// PATH the exporter was started with (a relative or empty PATH entry would make the working directory a source
/// of programs that run with the exporter's privileges). The children get this as their PATH too.
/// </summary>
public sealed record CommandSearchPath
{
    /// <summary>The default: where distributions install nft, iptables, firewall-cmd, semanage and systemctl.</summary>
    public const string DefaultText = "/usr/sbin:/usr/bin:/sbin:/bin";

    private CommandSearchPath(IReadOnlyList<string> folders) => Folders = folders;

    public static CommandSearchPath Default { get; } = Parse(DefaultText);

    public IReadOnlyList<string> Folders { get; }

    /// <summary>Folders separated by ':'; throws <see cref="FormatException"/> naming the first entry that is empty or not absolute.</summary>
    public static CommandSearchPath Parse(string text)
    {
        var folders = text.Split(':');
        foreach (var folder in folders)
        {
            if (!folder.StartsWith('/'))
            {
                throw new FormatException($"expected absolute folders separated by ':', got '{folder}' in '{text}'");
            }
        }

        return new CommandSearchPath(folders);
    }

    /// <summary>The first regular file named <paramref name="program"/> that someone may execute, as an absolute path; null when none.</summary>
    public string? Find(string program)
    {
        foreach (var folder in Folders)
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate) && !OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    public override string ToString() => string.Join(':', Folders);
}
