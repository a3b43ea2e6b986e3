using System.Globalization;

namespace PortExporter.Core.Network;

/// <summary>Pure parsers for the kernel's route tables: <c>/proc/net/route</c> and <c>/proc/net/ipv6_route</c>.</summary>
public static class RouteTableParser
{
    /// <summary>
    /// The interface of the IPv4 default route (destination 0, mask 0, flag UP) with the lowest metric, or null.
    /// </summary>
    public static string? DefaultRouteInterfaceV4(string text, string file = "/proc/net/route")
    {
        string? best = null;
        var bestMetric = long.MaxValue;
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            if (lineNo == 1 || raw.Length == 0)
            {
                continue; // header
            }

            var f = raw.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8)
            {
                throw new FormatException($"{file}:{lineNo}: expected at least 8 fields, got {f.Length}: '{Shorten(raw)}'");
            }

            if (!uint.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var destination)
                || !uint.TryParse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
                || !long.TryParse(f[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var metric)
                || !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
            {
                throw new FormatException($"{file}:{lineNo}: malformed route line: '{Shorten(raw)}'");
            }

            const uint RouteUp = 0x1;
            if (destination == 0 && mask == 0 && (flags & RouteUp) != 0 && metric < bestMetric)
            {
                best = f[0];
                bestMetric = metric;
            }
        }

        return best;
    }

    /// <summary>The interface of the IPv6 default route (::/0, not via lo, not a reject route), or null.</summary>
    public static string? DefaultRouteInterfaceV6(string text, string file = "/proc/net/ipv6_route")
    {
        string? best = null;
        var bestMetric = long.MaxValue;
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            if (raw.Length == 0)
            {
                continue;
            }

            var f = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10)
            {
                throw new FormatException($"{file}:{lineNo}: expected 10 fields, got {f.Length}: '{Shorten(raw)}'");
            }

            if (!long.TryParse(f[5], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var metric)
                || !uint.TryParse(f[8], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags))
            {
                throw new FormatException($"{file}:{lineNo}: malformed route line: '{Shorten(raw)}'");
            }

            const uint RouteUp = 0x1;
            const uint RouteReject = 0x200;
            if (f[0] == "00000000000000000000000000000000" && f[1] == "00" && f[9] != "lo"
                && (flags & RouteUp) != 0 && (flags & RouteReject) == 0 && metric < bestMetric)
            {
                best = f[9];
                bestMetric = metric;
            }
        }

        return best;
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "...";
}
