using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace PortExporter.Web.Security;

/// <summary>
/// The loaded TLS material of <c>tls_server_config</c>: the server certificate with its key, the intermediates that
/// followed it in <c>cert_file</c>, and the client CA. Turns them into Kestrel's HTTPS options. Immutable; shared by
/// every connection.
/// </summary>
public sealed class ServerTls
{
    /// <summary>How long a client has to finish the TLS handshake.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public ServerTls(TlsServerConfig config, X509Certificate2 certificate, X509Certificate2Collection intermediates, X509Certificate2Collection clientCas)
    {
        Config = config;
        Certificate = certificate;
        Intermediates = intermediates;
        ClientCas = clientCas;
        Validator = new ClientCertificateValidator(config.ClientAuth, clientCas, config.ClientAllowedSans);
    }

    public TlsServerConfig Config { get; }

    /// <summary>The server certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Certificates after the first in cert_file, sent to clients as the chain.</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>The trust anchors for client certificates (empty unless client_auth_type verifies).</summary>
    public X509Certificate2Collection ClientCas { get; }

    public ClientCertificateValidator Validator { get; }

    /// <summary>Kestrel's client certificate mode for the configured client_auth_type.</summary>
    public ClientCertificateMode ClientCertificateMode => Config.ClientAuth switch
    {
        ClientAuthType.NoClientCert => ClientCertificateMode.NoCertificate,
        ClientAuthType.RequestClientCert or ClientAuthType.VerifyClientCertIfGiven => ClientCertificateMode.AllowCertificate,
        _ => ClientCertificateMode.RequireCertificate,
    };

    /// <summary>Makes <paramref name="listen"/> an HTTPS endpoint with this material; refused client certificates are logged.</summary>
    public void Apply(ListenOptions listen, bool http2, ILogger logger)
    {
        listen.Protocols = http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = Certificate,
            ServerCertificateChain = Intermediates.Count > 0 ? Intermediates : null,
            SslProtocols = Config.Protocols,
            ClientCertificateMode = ClientCertificateMode,
            ClientCertificateValidation = (certificate, chain, errors) =>
            {
                var refusal = Validator.Check(certificate, chain, errors);
                if (refusal is not null)
                {
                    WebSecurityLog.ClientCertificateRefused(logger, refusal);
                }

                return refusal is null;
            },
            CheckCertificateRevocation = false,
            HandshakeTimeout = HandshakeTimeout,
        });
    }
}
