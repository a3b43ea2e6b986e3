namespace PortExporter.Firewall.Ipset;

/// <summary>
/// The text of one <c>add NAME ELEMENT [options]</c> line of <c>ipset save</c> that says what the set holds: the
/// element and its options, without the ones that traffic and the clock move (<c>timeout</c>, the seconds an entry
/// has left; <c>packets</c> and <c>bytes</c>, its counters). Pure.
/// </summary>
internal static class IpsetMembers
{
    private static readonly string[] Moving = ["timeout", "packets", "bytes"];

    /// <param name="tokens">The line's words: <c>add</c>, the set's name, the element, its options.</param>
    public static string Text(List<string> tokens)
    {
        var kept = new List<string>(tokens.Count - 2);
        for (var i = 2; i < tokens.Count; i++)
        {
            if (i > 2 && Array.IndexOf(Moving, tokens[i]) >= 0)
            {
                i++;
                continue;
            }

            kept.Add(tokens[i]);
        }

        return string.Join(' ', kept);
    }
}
