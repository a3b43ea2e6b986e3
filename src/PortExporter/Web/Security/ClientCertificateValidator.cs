using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PortExporter.Web.Security;

/// <summary>
/// Decides on a client certificate during the TLS handshake, as the exporter-toolkit does for each
/// <see cref="ClientAuthType"/>: the "Request"/"RequireAny" policies take any certificate; the "Verify" policies
/// build the chain against the configured client CA only (never the system store), for client authentication,
/// and then check <c>client_allowed_sans</c>. Thread-safe: every call builds its own chain.
/// </summary>
public sealed class ClientCertificateValidator(ClientAuthType mode, X509Certificate2Collection clientCas, IReadOnlyList<string> allowedSans)
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// <summary>
    /// Null to accept <paramref name="certificate"/> (the platform's own verdict in <paramref name="errors"/> is not
    /// used: it trusts the system store); otherwise why it is refused.
    /// </summary>
    public string? Check(X509Certificate2 certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        _ = errors;
        if (mode is ClientAuthType.NoClientCert or ClientAuthType.RequestClientCert or ClientAuthType.RequireAnyClientCert)
        {
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(clientCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (presentedChain is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }

        if (!chain.Build(certificate))
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return $"client certificate '{certificate.Subject}' does not verify against the client CA: {status}";
        }

        if (allowedSans.Count == 0)
        {
            return null;
        }

        var sans = SubjectAlternativeNames.Of(certificate);
        return sans.Any(san => allowedSans.Contains(san, StringComparer.Ordinal))
            ? null
            : $"client certificate '{certificate.Subject}' has none of the allowed SANs (it has: {string.Join(", ", sans)})";
    }
}
