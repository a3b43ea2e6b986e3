namespace PortExporter.Web.Security;

/// <summary>
/// <c>tls_server_config.client_auth_type</c>: the exporter-toolkit (Go <c>tls.ClientAuthType</c>) policies.
/// Only <see cref="RequireAndVerifyClientCert"/> authenticates clients; the others are weaker on purpose.
/// </summary>
public enum ClientAuthType
{
    /// <summary>No client certificate is asked for (the default).</summary>
    NoClientCert,

    /// <summary>A certificate is asked for, not required, and not verified.</summary>
    RequestClientCert,

    /// <summary>A certificate is required but not verified against a CA.</summary>
    RequireAnyClientCert,

    /// <summary>A certificate is optional; when given, it must chain to the client CA.</summary>
    VerifyClientCertIfGiven,

    /// <summary>A certificate is required and must chain to the client CA.</summary>
    RequireAndVerifyClientCert,
}
