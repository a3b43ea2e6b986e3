using System.Globalization;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Parses the two sysctls the socket evidence needs: <c>net.ipv4.ip_local_port_range</c> ("32768\t60999")
/// and <c>net.ipv6.bindv6only</c> ("0" or "1"). Pure.
/// </summary>
public static class SocketSysctlParser
{
    /// <summary>The first and last ephemeral port.</summary>
    /// <exception cref="ProcfsFormatException">Not two ports 1-65535 in order.</exception>
    public static (int First, int Last) ParseLocalPortRange(string text, string source)
    {
        var span = text.AsSpan().Trim();
        Span<Range> parts = stackalloc Range[3];
        var count = span.SplitAny(parts, " \t", StringSplitOptions.RemoveEmptyEntries);
        if (count == 2
            && TryParsePort(span[parts[0]], out var first)
            && TryParsePort(span[parts[1]], out var last)
            && first <= last)
        {
            return (first, last);
        }

        throw new ProcfsFormatException(source, 1, "ip_local_port_range", span, "two ports 1-65535, the first not above the second");
    }

    /// <summary>True when new IPv6 sockets are IPv6-only unless they say otherwise.</summary>
    /// <exception cref="ProcfsFormatException">Not 0 or 1.</exception>
    public static bool ParseBindV6Only(string text, string source) =>
        text.AsSpan().Trim() switch
        {
            "0" => false,
            "1" => true,
            var other => throw new ProcfsFormatException(source, 1, "bindv6only", other, "0 or 1"),
        };

    private static bool TryParsePort(ReadOnlySpan<char> text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
