namespace PortExporter.Firewall;

/// <summary>
/// The one clipping rule for text read from input and quoted back: in parse errors (firewall dumps, procfs, SELinux
/// files, configuration) and in rule labels. Text longer than the limit keeps its first characters and ends in
/// <see cref="Marker"/>, so the result is never longer than the limit.
/// </summary>
public static class Clipping
{
    /// <summary>Ends a clipped text.</summary>
    public const string Marker = "...";

    /// <summary>The longest raw value a parse error quotes, marker included.</summary>
    public const int MaxRawChars = 200;

    /// <summary><paramref name="text"/> whole when it has at most <paramref name="maxChars"/> characters, else its start and <see cref="Marker"/>, <paramref name="maxChars"/> characters in all.</summary>
    public static string Clip(string text, int maxChars = MaxRawChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= maxChars ? text : Clip(text.AsSpan(), maxChars);
    }

    /// <inheritdoc cref="Clip(string, int)"/>
    public static string Clip(ReadOnlySpan<char> text, int maxChars = MaxRawChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, Marker.Length);
        return text.Length <= maxChars ? new string(text) : string.Concat(text[..(maxChars - Marker.Length)], Marker);
    }
}
