namespace PortExporter.Web.Security;

/// <summary>
/// The token bucket of <c>rate_limit</c> (the exporter-toolkit's <c>rate.NewLimiter(rate.Every(interval), burst)</c>):
/// starts full with <see cref="RateLimitConfig.Burst"/> tokens, gains one per <see cref="RateLimitConfig.Interval"/>,
/// never more than the burst. Time is the <see cref="TimeProvider"/>'s monotonic timestamp, so a wall clock set back or
/// forward neither refills nor empties the bucket. Thread-safe.
/// </summary>
public sealed class RequestRateLimiter
{
    private readonly Lock _lock = new();
    private readonly RateLimitConfig _config;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    public RequestRateLimiter(RateLimitConfig config, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(config.Interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(config.Burst);
        _config = config;
        _time = time;
        _tokens = config.Burst;
        _last = time.GetTimestamp();
    }

    /// <summary>Takes a token: false when none is left (answer 429).</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_last, now);
            _last = now;
            _tokens = Math.Min(_config.Burst, _tokens + (elapsed / _config.Interval));
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
