using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Configuration;

namespace PortExporter.Web.Security;

/// <summary>
/// The wiring of <c>--web.config.file</c>: TLS on every Kestrel endpoint, the response headers and basic auth.
/// Without a web config all three calls do nothing.
/// </summary>
public static class WebSecurity
{
    /// <summary>
    /// Validates the web config at start, before anything listens: false (with the reason written to
    /// <paramref name="error"/>) when it cannot be used.
    /// </summary>
    public static bool Check(string? webConfigFile, TextWriter error)
    {
        if (webConfigFile is null)
        {
            return true;
        }

        try
        {
            _ = WebConfigLoader.Load(webConfigFile);
            return true;
        }
        catch (ConfigException e)
        {
            error.WriteLine($"invalid web config: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// Loads <paramref name="webConfigFile"/> (a <see cref="ConfigException"/> when invalid) and makes every endpoint
    /// Kestrel listens on use its TLS settings. Call before the endpoints are declared (Listen).
    /// </summary>
    public static WebApplicationBuilder AddWebSecurity(this WebApplicationBuilder builder, string? webConfigFile)
    {
        if (webConfigFile is null)
        {
            return builder;
        }

        var security = WebConfigLoader.Load(webConfigFile);
        builder.Services.AddSingleton(security);
        if (security.RequiresBasicAuth)
        {
            builder.Services.AddSingleton(sp => new BasicAuthenticator(security.Config.BasicAuthUsers, sp.GetService<TimeProvider>() ?? TimeProvider.System, WebSecurityDefaults.VerifiedCredentialLifetime));
        }

        if (security.Config.RateLimit is { } rateLimit)
        {
            builder.Services.AddSingleton(sp => new RequestRateLimiter(rateLimit, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        }

        if (security.Tls is { } tls)
        {
            builder.WebHost.ConfigureKestrel((context, kestrel) => kestrel.ConfigureEndpointDefaults(listen =>
                tls.Apply(listen, security.Config.Http.Http2, kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebSecurity)))));
        }

        return builder;
    }

    /// <summary>Adds the headers and basic auth middleware (first in the pipeline) and logs what is enabled.</summary>
    public static WebApplication UseWebSecurity(this WebApplication app)
    {
        if (app.Services.GetService<WebSecurityConfig>() is not { } security)
        {
            return app;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebSecurity));
        if (security.Tls is { } tls)
        {
            var certificate = tls.Certificate;
            var protocols = tls.Config.Protocols.ToString();
            var notAfter = certificate.NotAfter.ToUniversalTime();
            WebSecurityLog.TlsEnabled(logger, protocols, tls.Config.ClientAuth, security.Config.Http.Http2, certificate.Subject, notAfter);
            var now = DateTime.Now;
            if (now < certificate.NotBefore || now > certificate.NotAfter)
            {
                WebSecurityLog.CertificateNotValidNow(logger, certificate.Subject, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
            }
        }
        else
        {
            WebSecurityLog.TlsDisabled(logger);
        }

        if (security.RequiresBasicAuth)
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                WebSecurityLog.BasicAuthEnabled(logger, security.Config.BasicAuthUsers.Count, security.Config.AuthExcludedPaths.Count == 0 ? "(none)" : string.Join(", ", security.Config.AuthExcludedPaths));
            }

            if (security.Tls is null)
            {
                WebSecurityLog.BasicAuthWithoutTls(logger);
            }
        }

        if (security.Config.RateLimit is { } rateLimit)
        {
            WebSecurityLog.RateLimitEnabled(logger, rateLimit.Burst, rateLimit.Interval);
            if (rateLimit.Burst == 0)
            {
                WebSecurityLog.RateLimitRefusesAll(logger);
            }
        }

        app.UseMiddleware<WebSecurityMiddleware>();
        return app;
    }
}
