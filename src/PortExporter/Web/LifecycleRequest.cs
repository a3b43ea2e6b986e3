using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace PortExporter.Web;

/// <summary>
/// The cross-site request forgery defence of <c>POST /-/reload</c>. A page on another site can make a browser POST
/// here only as a "simple" request, one that needs no CORS preflight (which this server never grants): an HTML form
/// (<c>application/x-www-form-urlencoded</c>, <c>multipart/form-data</c> or <c>text/plain</c>) or a no-cors
/// <c>fetch</c>/<c>sendBeacon</c>. Refused, in this order: a form content type (whatever the headers say, so a
/// browser too old for the next two checks is covered); <c>Sec-Fetch-Site</c> other than <c>same-origin</c> or
/// <c>none</c> (sent by every current browser, not forgeable by a page); without it, an <c>Origin</c> other than this
/// server's own. Tools (<c>curl -X POST</c>, scripts, Prometheus' own tooling) send no form content type, no
/// <c>Origin</c> and no <c>Sec-Fetch-Site</c>, so they pass. The header rules are those of Go's
/// <c>http.CrossOriginProtection</c>. Pure.
/// </summary>
public static class LifecycleRequest
{
    private static readonly string[] FormContentTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

    private static readonly Func<HttpRequest, string?>[] Checks = [FormContentType, FetchSite, ForeignOrigin];

    /// <summary>Why the request may not act, or null when it may.</summary>
    public static string? Refusal(HttpRequest request)
    {
        foreach (var check in Checks)
        {
            if (check(request) is { } refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    private static string? FormContentType(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.ContentType))
        {
            return null;
        }

        // An unparsable content type is refused too: a browser form never sends one, but nothing else needs to.
        return !MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || FormContentTypes.Any(t => type.MediaType.Equals(t, StringComparison.OrdinalIgnoreCase))
            ? "a form content type"
            : null;
    }

    private static string? FetchSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"];
        return site.Count == 0 || site is ["same-origin"] or ["none"] ? null : "a cross-site request (Sec-Fetch-Site)";
    }

    private static string? ForeignOrigin(HttpRequest request)
    {
        if (request.Headers.ContainsKey("Sec-Fetch-Site"))
        {
            return null;
        }

        var origin = request.Headers.Origin;
        if (origin.Count == 0)
        {
            return null;
        }

        var own = $"{request.Scheme}://{request.Host.Value}";
        return origin is [{ } o] && string.Equals(o, own, StringComparison.OrdinalIgnoreCase) ? null : "a cross-origin request (Origin)";
    }
}
