using System.Xml;

namespace PortExporter.Firewall.Firewalld;

/// <summary>
/// Pure parser of a firewalld service definition (<c>/usr/lib/firewalld/services/NAME.xml</c>, overridden by
/// <c>/etc/firewalld/services/NAME.xml</c>; format in firewalld.service(5)): the <c>&lt;port port="443"
/// protocol="tcp"/&gt;</c> elements, as <c>443/tcp</c>. DTDs are not processed.
/// </summary>
public static class FirewalldServiceParser
{
    public static IReadOnlyList<string> ParsePorts(string xml, string source)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var ports = new List<string>();
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 1_000_000 };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Name == "port")
                {
                    var port = reader.GetAttribute("port");
                    var protocol = reader.GetAttribute("protocol");
                    if (!string.IsNullOrEmpty(port) && !string.IsNullOrEmpty(protocol))
                    {
                        ports.Add($"{port}/{protocol}");
                    }
                }
            }
        }
        catch (XmlException e)
        {
            throw new FirewallParseException(source, $"line {e.LineNumber}", "not a firewalld service definition", e);
        }

        return ports;
    }
}
