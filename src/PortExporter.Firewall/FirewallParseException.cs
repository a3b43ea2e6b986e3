namespace PortExporter.Firewall;

/// <summary>A ruleset dump the parsers cannot read: names the source, the place and the raw value.</summary>
public sealed class FirewallParseException : FormatException
{
    public FirewallParseException(string source, string where, string problem, string? raw = null)
        : base(raw is null ? $"{source}: {where}: {problem}" : $"{source}: {where}: {problem}: '{Clip(raw)}'")
    {
        Source = source;
        Where = where;
        Raw = raw;
    }

    public FirewallParseException(string source, string where, string problem, Exception inner)
        : base($"{source}: {where}: {problem}: {inner.Message}", inner)
    {
        Source = source;
        Where = where;
    }

    public FirewallParseException()
    {
        Where = string.Empty;
    }

    public FirewallParseException(string message)
        : base(message)
    {
        Where = string.Empty;
    }

    public FirewallParseException(string message, Exception inner)
        : base(message, inner)
    {
        Where = string.Empty;
    }

    /// <summary>Where in the dump (line, object).</summary>
    public string Where { get; }

    /// <summary>The offending text, clipped.</summary>
    public string? Raw { get; }

    private static string Clip(string raw) => raw.Length <= 200 ? raw : string.Concat(raw.AsSpan(0, 200), "...");
}
