namespace PortExporter.Tests.Deploy;

/// <summary>
/// A systemd unit file read as systemd reads it (systemd.syntax(7)): [Section] headers, Key=Value lines, '#' and
/// ';' comments, trailing-backslash continuations; a key may repeat (lists accumulate).
/// </summary>
public sealed class SystemdUnit
{
    private readonly List<(string Section, string Key, string Value)> _entries = [];

    public static SystemdUnit Parse(string text)
    {
        var unit = new SystemdUnit();
        string? section = null;
        var lines = text.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section is null || eq <= 0)
            {
                throw new FormatException($"line {i + 1}: expected [Section] or Key=Value, got '{line}'");
            }

            unit._entries.Add((section, line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }

        return unit;
    }

    public IEnumerable<string> Sections => _entries.Select(e => e.Section).Distinct();

    /// <summary>Every value given to <paramref name="key"/> in <paramref name="section"/>, in order.</summary>
    public IReadOnlyList<string> All(string section, string key) =>
        _entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value).ToList();

    /// <summary>The single value of <paramref name="key"/>; fails when it is missing or given more than once.</summary>
    public string Value(string section, string key) => All(section, key) switch
    {
        [var one] => one,
        var many => throw new InvalidOperationException($"[{section}] {key}: expected exactly one value, found {many.Count}"),
    };
}
