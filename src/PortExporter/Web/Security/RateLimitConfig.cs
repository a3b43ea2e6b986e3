namespace PortExporter.Web.Security;

/// <summary>
/// <c>rate_limit</c> of the web config, as in the exporter-toolkit: one token bucket for every request the exporter
/// serves, refilled with one token per <paramref name="Interval"/> up to <paramref name="Burst"/> tokens. A request
/// that finds no token is answered 429 before anything else (credentials included) is looked at.
/// </summary>
/// <param name="Interval">Time between two requests once the burst is spent (<c>interval</c>; 0 turns the limiter off).</param>
/// <param name="Burst">Requests allowed at once (<c>burst</c>); 0 refuses every request, as the toolkit does.</param>
public sealed record RateLimitConfig(TimeSpan Interval, int Burst);
