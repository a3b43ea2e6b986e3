using System.Globalization;

namespace PortExporter.Core.Selinux;

/// <summary>Parses <c>PORT</c>, <c>LOW-HIGH</c> and <c>LOW - HIGH</c> as semanage writes them.</summary>
internal static class PortRange
{
    public static (int Low, int High) Parse(string text, string where)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            var port = ParsePort(text.Trim(), text, where);
            return (port, port);
        }

        var low = ParsePort(text[..dash].Trim(), text, where);
        var high = ParsePort(text[(dash + 1)..].Trim(), text, where);
        if (high < low)
        {
            throw new SelinuxFormatException(where, "port range", text, "range ends before it starts");
        }

        return (low, high);
    }

    private static int ParsePort(string part, string raw, string where) =>
        int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new SelinuxFormatException(where, "port", raw, "expected a port 0-65535 or a range LOW-HIGH");
}
