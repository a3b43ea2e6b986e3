namespace PortExporter.Web.Security;

/// <summary>
/// The response headers <c>http_server_config.headers</c> may set, and the values allowed for those that are
/// enumerations. The list is the exporter-toolkit's, kept closed on purpose: a web config cannot override
/// Content-Type, Set-Cookie, WWW-Authenticate or any other header the exporter itself controls.
/// </summary>
public static class SecurityHeaders
{
    private static readonly KeyValuePair<string, string[]>[] Allowed =
    [
        new("Strict-Transport-Security", []),
        new("X-Content-Type-Options", ["nosniff"]),
        new("X-Frame-Options", ["deny", "sameorigin"]),
        new("X-XSS-Protection", []),
        new("Content-Security-Policy", []),
    ];

    /// <summary>The header names that can be configured, in their canonical spelling.</summary>
    public static IEnumerable<string> Names => Allowed.Select(a => a.Key);

    /// <summary>
    /// The canonical name of <paramref name="name"/> (matched case-insensitively) and the values it accepts
    /// (empty: any value), or false when the header cannot be configured.
    /// </summary>
    public static bool TryGet(string name, out string canonicalName, out IReadOnlyList<string> allowedValues)
    {
        foreach (var (known, values) in Allowed)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                canonicalName = known;
                allowedValues = values;
                return true;
            }
        }

        canonicalName = string.Empty;
        allowedValues = [];
        return false;
    }
}
