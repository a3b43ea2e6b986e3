namespace PortExporter.Firewall.Firewalld;

/// <summary>
/// Pure parser of <c>firewall-cmd --list-all-zones</c>: per zone a header line (<c>public (default, active)</c>)
/// then indented <c>key: values</c> lines; <c>forward-ports</c> and <c>rich rules</c> continue on tab-indented
/// lines. The format is the one firewalld's <c>FirewallCommand.print_zone_policy_info</c> prints.
/// </summary>
public static class FirewalldZonesParser
{
    public const int MaxZones = 10_000;

    public static IReadOnlyList<FirewalldZone> Parse(string text, string source = "firewall-cmd --list-all-zones")
    {
        ArgumentNullException.ThrowIfNull(text);
        var zones = new List<FirewalldZone>();
        Builder? current = null;
        string? continuing = null;
        var n = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            n++;
            var line = raw.ToString();
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (line[0] == '\t')
            {
                if (current is null || continuing is null)
                {
                    throw new FirewallParseException(source, $"line {n}", "continuation line outside forward-ports / rich rules", line);
                }

                current.Add(continuing, line.Trim());
                continue;
            }

            if (line[0] != ' ')
            {
                if (current is not null)
                {
                    zones.Add(current.Build());
                }

                if (zones.Count >= MaxZones)
                {
                    throw new FirewallParseException(source, $"line {n}", $"more than {MaxZones} zones");
                }

                current = Header(line.Trim(), source, n);
                continuing = null;
                continue;
            }

            if (current is null)
            {
                throw new FirewallParseException(source, $"line {n}", "zone attribute before any zone header", line);
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new FirewallParseException(source, $"line {n}", "expected 'key: values'", line);
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            continuing = key is "forward-ports" or "rich rules" ? key : null;
            if (continuing is not null)
            {
                if (value.Length > 0)
                {
                    current.Add(key, value);
                }
            }
            else
            {
                current.Set(key, value);
            }
        }

        if (current is not null)
        {
            zones.Add(current.Build());
        }

        return zones;
    }

    private static Builder Header(string line, string source, int n)
    {
        var paren = line.IndexOf(" (", StringComparison.Ordinal);
        var name = paren < 0 ? line : line[..paren];
        var attributes = paren < 0 ? string.Empty : line[(paren + 2)..].TrimEnd(')');
        if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
        {
            throw new FirewallParseException(source, $"line {n}", "bad zone header", line);
        }

        var attrs = attributes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new Builder(name, attrs.Contains("default"), attrs.Contains("active"));
    }

    private sealed class Builder(string name, bool isDefault, bool isActive)
    {
        private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
        private string _target = "default";

        public void Set(string key, string value)
        {
            if (key == "target")
            {
                _target = value;
                return;
            }

            _values[key] = [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }

        public void Add(string key, string value)
        {
            if (!_values.TryGetValue(key, out var list))
            {
                _values[key] = list = [];
            }

            list.Add(value);
        }

        public FirewalldZone Build()
        {
            IReadOnlyList<string> Get(string key) => _values.TryGetValue(key, out var v) ? v : [];
            return new FirewalldZone(
                name, isDefault, isActive, _target, Get("interfaces"), Get("sources"), Get("services"), Get("ports"), Get("protocols"),
                Get("forward-ports"), Get("rich rules"));
        }
    }
}
