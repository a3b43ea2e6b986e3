namespace PortExporter.Core.Selinux;

/// <summary>
/// Pure parser for libsemanage's <c>ports.local</c> (the store file <c>semanage port -a/-m</c> writes): <c>#</c>
/// comments and one <c>portcon PROTO PORT CONTEXT</c> or <c>portcon PROTO LOW - HIGH CONTEXT</c> per line, the
/// context being <c>user:role:type[:level]</c>. Every entry is a local customisation.
/// </summary>
public static class PortsLocalParser
{
    /// <exception cref="SelinuxFormatException">A line that is not a portcon statement, or a bad port or context.</exception>
    public static IReadOnlyList<PortLabel> Parse(string text, string source)
    {
        var labels = new List<PortLabel>();
        var lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            var where = $"{source}:{lineNumber}";
            var lineText = line.ToString();
            var fields = lineText.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[0] != "portcon")
            {
                throw new SelinuxFormatException(where, "line", lineText, "expected 'portcon PROTO PORT[-HIGH] CONTEXT'");
            }

            var proto = fields[1].ToLowerInvariant();
            var context = fields[^1];
            var range = string.Join(' ', fields[2..^1]);
            var (low, high) = PortRange.Parse(range, where);
            var type = ContextType(context, where);
            if (proto is "sctp" or "dccp")
            {
                continue;
            }

            if (!TransportProtocolNames.TryParse(proto, out var protocol))
            {
                throw new SelinuxFormatException(where, "proto", fields[1], "expected tcp, udp, sctp or dccp");
            }

            labels.Add(new PortLabel(protocol, low, high, type, IsLocal: true));
        }

        return labels;
    }

    /// <summary>The type part of <c>user:role:type[:level]</c>.</summary>
    internal static string ContextType(string context, string where)
    {
        var parts = context.Split(':');
        return parts.Length >= 3 && SemanagePortListParser.TypeName().IsMatch(parts[2])
            ? parts[2]
            : throw new SelinuxFormatException(where, "context", context, "expected user:role:type[:level]");
    }
}
