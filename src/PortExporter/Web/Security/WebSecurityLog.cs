using Microsoft.Extensions.Logging;

namespace PortExporter.Web.Security;

/// <summary>Log lines of the web security layer (event ids 300-399).</summary>
internal static partial class WebSecurityLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "TLS is enabled: protocols {Protocols}, client_auth_type {ClientAuth}, http2 {Http2}, certificate '{Subject}' valid until {NotAfter:O}")]
    public static partial void TlsEnabled(ILogger logger, string protocols, ClientAuthType clientAuth, bool http2, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "TLS is disabled")]
    public static partial void TlsDisabled(ILogger logger);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "basic auth is enabled for {Users} user(s); paths served without it: {ExcludedPaths}")]
    public static partial void BasicAuthEnabled(ILogger logger, int users, string excludedPaths);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "basic auth without TLS: passwords cross the network in clear text; configure tls_server_config")]
    public static partial void BasicAuthWithoutTls(ILogger logger);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "the server certificate '{Subject}' is not valid now (valid {NotBefore:O} to {NotAfter:O}); clients will refuse it")]
    public static partial void CertificateNotValidNow(ILogger logger, string subject, DateTime notBefore, DateTime notAfter);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "refused a client certificate: {Reason}")]
    public static partial void ClientCertificateRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 306, Level = LogLevel.Debug, Message = "basic auth failed for user '{User}' from {Remote} on {Path}")]
    public static partial void BasicAuthFailed(ILogger logger, string user, string remote, string path);

    [LoggerMessage(EventId = 307, Level = LogLevel.Information, Message = "rate limit is enabled: bursts of {Burst} request(s), then one per {Interval}")]
    public static partial void RateLimitEnabled(ILogger logger, int burst, TimeSpan interval);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "rate_limit.burst is 0: every request is answered 429 (as in the exporter-toolkit); give a burst of at least 1")]
    public static partial void RateLimitRefusesAll(ILogger logger);
}
