using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PortExporter.Web.Security;

/// <summary>
/// Adds the configured response headers to every response (401s included) and, when basic_auth_users is set,
/// answers 401 with a <c>WWW-Authenticate: Basic</c> challenge to requests without valid credentials, except on
/// auth_excluded_paths.
/// </summary>
public sealed class WebSecurityMiddleware(RequestDelegate next, WebSecurityConfig security, ILogger<WebSecurityMiddleware> logger, BasicAuthenticator? authenticator = null)
{
    private static readonly string Challenge = $"Basic realm=\"{WebSecurityDefaults.Realm}\", charset=\"UTF-8\"";

    public async Task InvokeAsync(HttpContext http)
    {
        foreach (var (name, value) in security.Config.Http.Headers)
        {
            http.Response.Headers[name] = value;
        }

        if (authenticator is not null && !IsExcluded(http.Request.Path))
        {
            var given = BasicCredentials.TryParse(http.Request.Headers.Authorization.Count == 1 ? http.Request.Headers.Authorization[0] : null, out var credentials);
            if (!given || !await authenticator.VerifyAsync(credentials!, http.RequestAborted).ConfigureAwait(false))
            {
                if (given)
                {
                    LogFailure(credentials!.User, http);
                }

                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = Challenge;
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("Unauthorized\n", http.RequestAborted).ConfigureAwait(false);
                return;
            }
        }

        await next(http).ConfigureAwait(false);
    }

    private void LogFailure(string user, HttpContext http)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var remote = http.Connection.RemoteIpAddress?.ToString() ?? "?";
            WebSecurityLog.BasicAuthFailed(logger, user, remote, http.Request.Path.Value ?? "/");
        }
    }

    private bool IsExcluded(PathString path)
    {
        foreach (var excluded in security.Config.AuthExcludedPaths)
        {
            if (string.Equals(path.Value, excluded, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
