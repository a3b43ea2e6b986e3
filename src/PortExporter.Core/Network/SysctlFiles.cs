using System.Globalization;

namespace PortExporter.Core.Network;

/// <summary>Reads sysctls from their files under <c>&lt;procfs&gt;/sys/net</c>. A missing or unreadable file is no data.</summary>
internal static class SysctlFiles
{
    /// <summary>The value of one sysctl file as a small non-negative number; null when missing, unreadable or not one.</summary>
    public static int? Read(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value < 1000 ? value : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary><c>ipv4/conf/IF/<paramref name="leaf"/></c> of each of <paramref name="interfaces"/> that has it, by name, sorted.</summary>
    public static IReadOnlyList<KeyValuePair<string, int>> PerInterface(string sysNet, IEnumerable<string> interfaces, string leaf) =>
        [.. interfaces.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(name => (Name: name, Value: name.Contains('/', StringComparison.Ordinal) || name is "." or ".." ? null : Read(Path.Combine(sysNet, "ipv4", "conf", name, leaf))))
            .Where(x => x.Value is not null)
            .Select(x => KeyValuePair.Create(x.Name, x.Value!.Value))];
}
