namespace PortExporter.Web.Security;

/// <summary>Fixed values of the web security layer, in one place.</summary>
public static class WebSecurityDefaults
{
    /// <summary>Realm sent in the basic auth challenge.</summary>
    public const string Realm = "port-exporter";

    /// <summary>
    /// Highest bcrypt cost accepted in basic_auth_users. Each step doubles a check's time: cost 10 takes about 70 ms
    /// of one core, 14 about a second; a higher cost lets every wrong password take a core for seconds.
    /// </summary>
    public const int MaxBcryptCost = 14;

    /// <summary>Cost of the decoy hash checked for unknown users: the exporter-toolkit's and htpasswd's usual 10.</summary>
    public const int DecoyCost = 10;

    /// <summary>
    /// How long the result of a bcrypt check is remembered: longer than usual scrape intervals (so a scraper pays
    /// bcrypt's cost once per lifetime, not per scrape), short enough that a remembered entry is not good for long.
    /// </summary>
    public static readonly TimeSpan VerifiedCredentialLifetime = TimeSpan.FromMinutes(5);
}
