namespace PortExporter.Web.Security;

/// <summary>
/// The <c>--web.config.file</c> (exporter-toolkit format), parsed and validated by <see cref="WebConfigParser"/>.
/// Certificates are named, not loaded: <see cref="WebConfigLoader"/> loads them.
/// </summary>
/// <param name="SourcePath">The file it was read from.</param>
/// <param name="Tls">tls_server_config, or null: plain HTTP.</param>
/// <param name="Http">http_server_config.</param>
/// <param name="BasicAuthUsers">basic_auth_users: user name to bcrypt hash; empty means no basic auth.</param>
/// <param name="AuthExcludedPaths">auth_excluded_paths: request paths served without basic auth.</param>
/// <param name="RateLimit">rate_limit, or null: no limit.</param>
public sealed record WebConfig(
    string SourcePath,
    TlsServerConfig? Tls,
    HttpServerConfig Http,
    IReadOnlyDictionary<string, string> BasicAuthUsers,
    IReadOnlyList<string> AuthExcludedPaths,
    RateLimitConfig? RateLimit = null);
