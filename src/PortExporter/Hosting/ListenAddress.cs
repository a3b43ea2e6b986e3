using System.Globalization;
using System.Net;

namespace PortExporter.Hosting;

/// <summary>
/// A --web.listen-address: <c>:10070</c> (every address), <c>127.0.0.1:10070</c>, <c>[::1]:10070</c>.
/// Host names other than <c>localhost</c> are refused: an exporter binds addresses, not names.
/// </summary>
public sealed record ListenAddress(IPAddress? Address, int Port)
{
    public static bool TryParse(string text, out ListenAddress? result, out string? error)
    {
        result = null;
        error = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"'{text}' is not HOST:PORT or :PORT";
            return false;
        }

        var hostText = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            error = $"'{portText}' is not a port number 0-65535";
            return false;
        }

        IPAddress? address = null;
        if (hostText.Length > 0)
        {
            if (hostText.StartsWith('[') && hostText.EndsWith(']'))
            {
                hostText = hostText[1..^1];
            }

            if (hostText == "localhost")
            {
                address = IPAddress.Loopback;
            }
            else if (!IPAddress.TryParse(hostText, out address))
            {
                error = $"'{hostText}' is not an IP address";
                return false;
            }
        }

        result = new ListenAddress(address, port);
        return true;
    }

    public override string ToString() => Address is null
        ? $":{Port.ToString(CultureInfo.InvariantCulture)}"
        : new IPEndPoint(Address, Port).ToString();
}
