namespace PortExporter.Web.Security;

/// <summary>The web config with its TLS material loaded: what the host serves with. Immutable.</summary>
/// <param name="Config">The parsed file.</param>
/// <param name="Tls">The loaded certificates, or null for plain HTTP.</param>
public sealed record WebSecurityConfig(WebConfig Config, ServerTls? Tls)
{
    /// <summary>True when basic_auth_users is not empty.</summary>
    public bool RequiresBasicAuth => Config.BasicAuthUsers.Count > 0;
}
