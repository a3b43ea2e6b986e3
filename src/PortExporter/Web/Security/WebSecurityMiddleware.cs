using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PortExporter.Web.Security;

/// <summary>
/// Adds the configured response headers to every response (401s and 429s included); when rate_limit is set,
/// answers 429 to a request that finds no token, before anything else; when basic_auth_users is set, answers 401
/// with a <c>WWW-Authenticate: Basic</c> challenge to requests without valid credentials, except on
/// auth_excluded_paths, and 429 when the client already has as many credential checks waiting as it may.
/// </summary>
public sealed class WebSecurityMiddleware(RequestDelegate next, WebSecurityConfig security, ILogger<WebSecurityMiddleware> logger, BasicAuthenticator? authenticator = null, RequestRateLimiter? rateLimiter = null)
{
    private static readonly string Challenge = $"Basic realm=\"{WebSecurityDefaults.Realm}\", charset=\"UTF-8\"";

    public async Task InvokeAsync(HttpContext http)
    {
        foreach (var (name, value) in security.Config.Http.Headers)
        {
            http.Response.Headers[name] = value;
        }

        if (rateLimiter is not null && !rateLimiter.TryAcquire())
        {
            await RespondAsync(http, StatusCodes.Status429TooManyRequests, "Too Many Requests\n").ConfigureAwait(false);
            return;
        }

        if (authenticator is not null && !IsExcluded(http.Request.Path))
        {
            var given = BasicCredentials.TryParse(http.Request.Headers.Authorization.Count == 1 ? http.Request.Headers.Authorization[0] : null, out var credentials);
            var result = given
                ? await authenticator.VerifyAsync(credentials!, BasicAuthenticator.ClientOf(http.Connection.RemoteIpAddress), http.RequestAborted).ConfigureAwait(false)
                : BasicAuthResult.Refused;
            if (result == BasicAuthResult.Busy)
            {
                http.Response.Headers.RetryAfter = "1";
                await RespondAsync(http, StatusCodes.Status429TooManyRequests, "Too Many Requests\n").ConfigureAwait(false);
                return;
            }

            if (result != BasicAuthResult.Verified)
            {
                if (given)
                {
                    LogFailure(credentials!.User, http);
                }

                http.Response.Headers.WWWAuthenticate = Challenge;
                await RespondAsync(http, StatusCodes.Status401Unauthorized, "Unauthorized\n").ConfigureAwait(false);
                return;
            }
        }

        await next(http).ConfigureAwait(false);
    }

    private static Task RespondAsync(HttpContext http, int status, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(text, http.RequestAborted);
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
