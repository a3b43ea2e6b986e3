namespace PortExporter.Firewall;

/// <summary>
/// The one parse error of the firewall parsers (iptables-save, nft JSON and text, firewalld, and the host's /proc/net
/// files read for the simulation): names the source, the place and the raw value, clipped by the one rule
/// (<see cref="Clipping"/>) wherever it comes from.
/// </summary>
public sealed class FirewallParseException : FormatException
{
    public FirewallParseException(string source, string where, string problem, string? raw = null)
        : base(raw is null ? $"{source}: {where}: {problem}" : $"{source}: {where}: {problem}: '{Clipping.Clip(raw)}'")
    {
        Source = source;
        Where = where;
        Raw = raw is null ? null : Clipping.Clip(raw);
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

    /// <summary>The offending text, clipped to <see cref="Clipping.MaxRawChars"/> characters.</summary>
    public string? Raw { get; }
}
