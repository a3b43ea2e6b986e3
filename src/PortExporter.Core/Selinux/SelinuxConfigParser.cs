using System.Text.RegularExpressions;

namespace PortExporter.Core.Selinux;

/// <summary>
/// Pure parser for <c>/etc/selinux/config</c> as selinux_config(5) documents it: <c>KEY=value</c> lines, <c>#</c>
/// comments. Like libselinux, the first <c>SELINUX=</c> / <c>SELINUXTYPE=</c> line wins, values compare
/// case-insensitively and unknown keys are ignored.
/// </summary>
public static partial class SelinuxConfigParser
{
    /// <summary>Parses the file's text.</summary>
    /// <exception cref="SelinuxFormatException">A <c>SELINUX=</c> value other than enforcing, permissive or disabled, or a malformed policy name.</exception>
    public static SelinuxConfigFile Parse(string text, string source)
    {
        SelinuxMode? mode = null;
        string? policyType = null;
        var lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (mode is null && key.SequenceEqual("SELINUX"))
            {
                mode = ParseMode(value, $"{source}:{lineNumber}");
            }
            else if (policyType is null && key.SequenceEqual("SELINUXTYPE"))
            {
                var name = value.ToString();
                if (!PolicyName().IsMatch(name))
                {
                    throw new SelinuxFormatException($"{source}:{lineNumber}", "SELINUXTYPE", name, "expected a policy directory name");
                }

                policyType = name;
            }
        }

        return new SelinuxConfigFile(mode, policyType);
    }

    private static SelinuxMode ParseMode(ReadOnlySpan<char> value, string where) =>
        value.Equals("enforcing", StringComparison.OrdinalIgnoreCase) ? SelinuxMode.Enforcing
        : value.Equals("permissive", StringComparison.OrdinalIgnoreCase) ? SelinuxMode.Permissive
        : value.Equals("disabled", StringComparison.OrdinalIgnoreCase) ? SelinuxMode.Disabled
        : throw new SelinuxFormatException(where, "SELINUX", value.ToString(), "expected enforcing, permissive or disabled");

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex PolicyName();
}
