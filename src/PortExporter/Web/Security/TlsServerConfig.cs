using System.Security.Authentication;

namespace PortExporter.Web.Security;

/// <summary><c>tls_server_config</c> of the web config, validated but not loaded (no file has been opened).</summary>
/// <param name="Certificate">cert_file or cert: the server certificate, optionally followed by its intermediates.</param>
/// <param name="Key">key_file or key: the server certificate's unencrypted private key.</param>
/// <param name="ClientAuth">client_auth_type.</param>
/// <param name="ClientCa">client_ca_file or client_ca, or null.</param>
/// <param name="ClientAllowedSans">client_allowed_sans: a verified client certificate must carry one of these SANs (empty: any).</param>
/// <param name="Protocols">min_version..max_version as the set of protocol versions to accept.</param>
public sealed record TlsServerConfig(
    PemSource Certificate,
    PemSource Key,
    ClientAuthType ClientAuth,
    PemSource? ClientCa,
    IReadOnlyList<string> ClientAllowedSans,
    SslProtocols Protocols);
