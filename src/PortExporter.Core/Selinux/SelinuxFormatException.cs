using PortExporter.Firewall;

namespace PortExporter.Core.Selinux;

/// <summary>
/// An SELinux or audit input could not be parsed: names the source (file or command), the field and the raw value.
/// The one error kind the SELinux parsers throw.
/// </summary>
public sealed class SelinuxFormatException : FormatException
{
    public SelinuxFormatException(string source, string field, string rawValue, string problem)
        : base($"{source}: {field}: {problem} (got '{Clipping.Clip(rawValue)}')")
    {
        Source = source;
        Field = field;
        RawValue = rawValue;
    }

    /// <summary>The file or command the input came from (with a line number when there is one).</summary>
    public new string Source { get; }

    /// <summary>The field or key that was wrong.</summary>
    public string Field { get; }

    /// <summary>The offending value as read (clipped in the message by <see cref="Clipping"/>).</summary>
    public string RawValue { get; }
}
