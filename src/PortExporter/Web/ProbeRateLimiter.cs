using System.Net;
using System.Threading.RateLimiting;
using PortExporter.Core.Configuration;
using Prometheus;

namespace PortExporter.Web;

/// <summary>
/// <c>probes.client_rate_limit</c> for <c>/probe</c>: one token bucket per client (its IPv4 address, or its IPv6 /64,
/// since one IPv6 host holds a whole /64), <c>burst</c> deep, refilled one token per <c>interval</c>. A request without
/// a token is refused at once (429, nothing probed) and counted in
/// <c>port_exporter_probe_requests_rate_limited_total</c>. A reloaded limit applies to new buckets at once (the
/// settings are part of the bucket's key); full buckets are dropped when idle, so memory follows the clients of
/// the last moments, not every client ever seen. Thread-safe.
/// </summary>
public sealed class ProbeRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(IPAddress Client, ClientRateLimit Limit)> _limiter;
    private readonly Counter _rejected;

    public ProbeRateLimiter(IMetricFactory metrics)
    {
        _limiter = PartitionedRateLimiter.Create<(IPAddress Client, ClientRateLimit Limit), (IPAddress, ClientRateLimit)>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key, k => new TokenBucketRateLimiterOptions
            {
                TokenLimit = k.Item2.Burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = k.Item2.Interval,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        _rejected = metrics.CreateCounter(
            "port_exporter_probe_requests_rate_limited_total",
            "/probe requests refused with 429 because their client had used up probes.client_rate_limit.");
    }

    /// <summary>The client key of a remote address (<see cref="ClientAddress.Of"/>); <see cref="IPAddress.None"/> when unknown.</summary>
    public static IPAddress ClientOf(IPAddress? remote) => ClientAddress.Of(remote) ?? IPAddress.None;

    /// <summary>Takes a token for <paramref name="remote"/>; false (counted) when its bucket is empty, with the time until the next token.</summary>
    public bool TryAcquire(IPAddress? remote, ClientRateLimit limit, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire((ClientOf(remote), limit));
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        _rejected.Inc();
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limit.Interval;
        return false;
    }

    public void Dispose() => _limiter.Dispose();
}
