namespace PortExporter.Web.Security;

/// <summary>Fixed values of the web security layer, in one place.</summary>
public static class WebSecurityDefaults
{
    /// <summary>Realm sent in the basic auth challenge.</summary>
    public const string Realm = "port-exporter";

    /// <summary>
    /// How long a successful bcrypt verification is remembered: longer than usual scrape intervals (so a scraper
    /// pays bcrypt's cost once per lifetime, not per scrape), short enough that a remembered entry is not good for long.
    /// </summary>
    public static readonly TimeSpan VerifiedCredentialLifetime = TimeSpan.FromMinutes(5);
}
