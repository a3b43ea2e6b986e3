using System.Net;
using PortExporter.Core.Configuration;
using PortExporter.Web;
using Prometheus;

namespace PortExporter.Tests.Host;

public sealed class ProbeRateLimiterTests
{
    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::")]
    public void A_client_is_its_IPv4_address_or_its_IPv6_slash_64(string remote, string client) =>
        Assert.Equal(IPAddress.Parse(client), ProbeRateLimiter.ClientOf(IPAddress.Parse(remote)));

    [Fact]
    public void Two_addresses_of_one_IPv6_slash_64_share_a_bucket_and_a_new_limit_starts_a_new_one()
    {
        using var limiter = new ProbeRateLimiter(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
        var limit = new ClientRateLimit(TimeSpan.FromHours(1), 1);

        var first = limiter.TryAcquire(IPAddress.Parse("2001:db8::1"), limit, out _);
        var sameNetwork = limiter.TryAcquire(IPAddress.Parse("2001:db8::2"), limit, out var retryAfter);
        var otherNetwork = limiter.TryAcquire(IPAddress.Parse("2001:db8:0:1::1"), limit, out _);
        var reloaded = limiter.TryAcquire(IPAddress.Parse("2001:db8::1"), limit with { Burst = 2 }, out _);

        Assert.Equal((true, false, true, true), (first, sameNetwork, otherNetwork, reloaded));
        Assert.True(retryAfter > TimeSpan.Zero);
    }
}
