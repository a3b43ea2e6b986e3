using System.Net;

namespace PortExporter.Core.Configuration;

/// <summary>Where a watched port must be reachable from (<c>expose</c>): the promise a page is about.</summary>
public enum PortExpose
{
    /// <summary>Must be reachable from outside (with <c>from:</c>, from those ranges); blocking anyone else is fine.</summary>
    Public,

    /// <summary>Must be reachable from the host's internal networks (or <c>from:</c>) and must not be from outside.</summary>
    Internal,

    /// <summary>Must be reachable on the host only: a listener outside or internal clients can reach is a finding.</summary>
    Local,
}

/// <summary>Who said what a port's intent is.</summary>
public enum IntentOrigin
{
    /// <summary>The config file's <c>expose</c> (or its default for a configured port, public).</summary>
    Config,

    /// <summary>Auto-watch inferred it from the listener and the state first seen.</summary>
    Inferred,
}

/// <summary>The label words of <see cref="PortExpose"/> and <see cref="IntentOrigin"/>.</summary>
public static class PortIntentNames
{
    public static IReadOnlyList<PortExpose> AllExpose { get; } = Enum.GetValues<PortExpose>();

    public static string ToLabel(this PortExpose expose) => expose switch
    {
        PortExpose.Internal => "internal",
        PortExpose.Local => "local",
        _ => "public",
    };

    public static string ToLabel(this IntentOrigin origin) => origin == IntentOrigin.Inferred ? "inferred" : "config";

    public static bool TryParse(string text, out PortExpose expose)
    {
        foreach (var candidate in AllExpose)
        {
            if (string.Equals(candidate.ToLabel(), text, StringComparison.Ordinal))
            {
                expose = candidate;
                return true;
            }
        }

        expose = PortExpose.Public;
        return false;
    }

    /// <summary>A <c>from:</c> range in CIDR notation, as the config writes it.</summary>
    public static string ToCidr(this IPNetwork range) => range.ToString();
}
