using System.Globalization;
using System.Reflection;
using System.Text;

namespace PortExporter.Benchmarks;

/// <summary>The captured inputs (embedded) and larger inputs of the same shape built from them.</summary>
public static class Fixtures
{
    /// <summary>An embedded fixture's text: <c>tcp</c>, <c>tcp6</c> or <c>audit.log</c>.</summary>
    public static string Text(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("fixtures." + name)
            ?? throw new InvalidOperationException($"no embedded fixture {name}");
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// A socket table of <paramref name="lines"/> rows: the captured rows (listeners and established connections)
    /// repeated in order, each renumbered in the kernel's <c>%4d:</c> slot column, so every row keeps the captured
    /// width, field layout and trailing padding.
    /// </summary>
    public static string SocketTable(string captured, int lines)
    {
        var all = captured.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = all[0];
        var rows = all[1..].Select(r => r[(r.IndexOf(':', StringComparison.Ordinal) + 1)..]).ToArray();
        var text = new StringBuilder(header.Length + (lines * (rows[0].Length + 6)));
        text.Append(header).Append('\n');
        for (var i = 0; i < lines; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i,4}:").Append(rows[i % rows.Length]).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>An audit log of <paramref name="lines"/> records: the captured records repeated in order.</summary>
    public static byte[][] AuditLines(int lines)
    {
        var records = Text("audit.log").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Enumerable.Range(0, lines).Select(i => Encoding.ASCII.GetBytes(records[i % records.Length])).ToArray();
    }
}
