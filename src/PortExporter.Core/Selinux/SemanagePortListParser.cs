using System.Globalization;
using System.Text.RegularExpressions;

namespace PortExporter.Core.Selinux;

/// <summary>
/// Pure parser for the output of <c>semanage port -l -n</c> (semanage-port(8)): one line per type and protocol,
/// <c>TYPE PROTO PORTS</c>, where PORTS is a comma-separated list of ports and <c>LOW-HIGH</c> ranges. The list
/// merges the policy with local customisations and does not say which is which (<see cref="PortLabel.IsLocal"/> is
/// false here; ports.local tells the local ones apart). sctp and dccp lines are skipped: only tcp and udp are watched.
/// </summary>
public static partial class SemanagePortListParser
{
    public const string SourceName = "semanage port -l -n";

    /// <exception cref="SelinuxFormatException">A line that is not <c>TYPE PROTO PORTS</c>, or a bad port.</exception>
    public static IReadOnlyList<PortLabel> Parse(string text)
    {
        var labels = new List<PortLabel>();
        var lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.IsEmpty || line.StartsWith("SELinux Port Type", StringComparison.Ordinal))
            {
                continue;
            }

            var where = $"{SourceName}:{lineNumber}";
            var typeEnd = line.IndexOfAny(' ', '\t');
            if (typeEnd < 0)
            {
                throw new SelinuxFormatException(where, "line", line.ToString(), "expected 'TYPE PROTO PORTS'");
            }

            var type = line[..typeEnd].ToString();
            var rest = line[typeEnd..].TrimStart();
            var protoEnd = rest.IndexOfAny(' ', '\t');
            if (protoEnd < 0)
            {
                throw new SelinuxFormatException(where, "line", line.ToString(), "expected 'TYPE PROTO PORTS'");
            }

            var proto = rest[..protoEnd].ToString();
            var ports = rest[protoEnd..].Trim();
            if (!TypeName().IsMatch(type))
            {
                throw new SelinuxFormatException(where, "type", type, "expected an SELinux type name");
            }

            if (proto is "sctp" or "dccp")
            {
                continue;
            }

            if (!TransportProtocolNames.TryParse(proto, out var protocol))
            {
                throw new SelinuxFormatException(where, "proto", proto, "expected tcp, udp, sctp or dccp");
            }

            foreach (var item in ports.ToString().Split(',', StringSplitOptions.TrimEntries))
            {
                var (low, high) = PortRange.Parse(item, where);
                labels.Add(new PortLabel(protocol, low, high, type, IsLocal: false));
            }
        }

        return labels;
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,128}$")]
    internal static partial Regex TypeName();
}
