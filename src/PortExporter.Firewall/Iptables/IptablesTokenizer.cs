using System.Text;

namespace PortExporter.Firewall.Iptables;

/// <summary>Splits an iptables-save line into arguments: blanks separate, double quotes group, backslash escapes.</summary>
internal static class IptablesTokenizer
{
    /// <summary>The arguments, or null when a quote is not closed.</summary>
    public static List<string>? Split(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inToken = false;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length && (quoted || line[i + 1] is '"' or '\\'))
            {
                current.Append(line[++i]);
                inToken = true;
            }
            else if (c == '"')
            {
                quoted = !quoted;
                inToken = true;
            }
            else if (!quoted && c is ' ' or '\t')
            {
                if (inToken)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }
            }
            else
            {
                current.Append(c);
                inToken = true;
            }
        }

        if (quoted)
        {
            return null;
        }

        if (inToken)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }
}
