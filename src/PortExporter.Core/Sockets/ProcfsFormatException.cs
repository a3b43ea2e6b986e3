using System.Globalization;
using PortExporter.Firewall;

namespace PortExporter.Core.Sockets;

/// <summary>
/// A procfs file (a socket table or a sysctl) that does not have the kernel's format: truncated, garbage or
/// out of bounds. The message names the file, the line, the field and the raw value (shortened).
/// </summary>
public sealed class ProcfsFormatException : FormatException
{
    /// <summary>Raw values longer than this are clipped, by the one rule of <see cref="Clipping"/>.</summary>
    public const int MaxRawValueLength = Clipping.MaxRawChars;

    public ProcfsFormatException(string file, int lineNumber, string field, ReadOnlySpan<char> rawValue, string expected)
        : base(Describe(file, lineNumber, field, rawValue, expected))
    {
        File = file;
        LineNumber = lineNumber;
        Field = field;
        RawValue = Clipping.Clip(rawValue);
    }

    /// <summary>The file, as the reader named it (its path).</summary>
    public string File { get; }

    /// <summary>1-based line number.</summary>
    public int LineNumber { get; }

    /// <summary>The field: a column name of the table's header (local_address, st, inode, ...) or "line".</summary>
    public string Field { get; }

    /// <summary>The offending text, at most <see cref="MaxRawValueLength"/> characters.</summary>
    public string RawValue { get; }

    private static string Describe(string file, int lineNumber, string field, ReadOnlySpan<char> rawValue, string expected) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{file} line {lineNumber}: field {field}: expected {expected}, got '{Clipping.Clip(rawValue)}'");
}
