using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

/// <summary>
/// What a flood of wrong passwords can do to a correct login. The bcrypt check is replaced by one the test lets
/// finish one at a time, so the assertions are on the order in which checks start, not on how long they took.
/// </summary>
public sealed class BasicAuthFloodTests
{
    private const string Flooder = "203.0.113.66";
    private const string Scraper = "192.0.2.10";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string> Users = new() { ["prometheus"] = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi" };

    private static Task<BasicAuthResult> Verify(BasicAuthenticator auth, string password, string client) =>
        Task.Run(async () => await auth.VerifyAsync(new BasicCredentials("prometheus", password), client, CancellationToken.None));

    private static async Task Until(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            Assert.False(deadline.IsCancellationRequested, $"gave up waiting for: {what}");
            await Task.Delay(5, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_flood_of_wrong_passwords_from_one_client_holds_back_another_clients_login_by_one_check_at_most()
    {
        var started = new BlockingCollection<string>();
        using var finish = new SemaphoreSlim(0);
        var auth = new BasicAuthenticator(Users, TimeProvider.System, TimeSpan.FromMinutes(5), new BasicAuthLimits(Concurrency: 1, MaxQueuedPerClient: 4, MaxQueued: 256, MaxCachedFailures: 1024), (password, _) =>
        {
            started.Add(password);
            Assert.True(finish.Wait(Deadline), "the test never let this check finish");
            return password == "right";
        });

        // 80 different wrong passwords at once: one check runs, four wait, the other 75 are refused at once.
        var flood = Enumerable.Range(0, 80).Select(i => Verify(auth, $"wrong-{i}", Flooder)).ToList();
        await Until(() => flood.Count(t => t.IsCompleted) == 75 && auth.Gate.Queued == 4, "the flood to fill its queue");
        Assert.All(flood.Where(t => t.IsCompleted), t => Assert.Equal(BasicAuthResult.Busy, t.Result));

        var login = Verify(auth, "right", Scraper);
        await Until(() => auth.Gate.Queued == 5, "the login to queue");

        // Let one check finish at a time and note which starts next: the login's is the second after it queued.
        var order = new List<string> { started.Take() };
        while (order[^1] != "right")
        {
            finish.Release();
            Assert.True(started.TryTake(out var next, Deadline), $"no check started; order so far: {string.Join(", ", order)}");
            order.Add(next);
        }

        Assert.Equal(3, order.Count);
        Assert.All(order.Take(2), p => Assert.StartsWith("wrong-", p, StringComparison.Ordinal));
        finish.Release(10);
        Assert.Equal(BasicAuthResult.Verified, await login.WaitAsync(Deadline));
        var results = await Task.WhenAll(flood).WaitAsync(Deadline);
        Assert.Equal(75, results.Count(r => r == BasicAuthResult.Busy));
        Assert.Equal(5, results.Count(r => r == BasicAuthResult.Refused));
        Assert.Equal(6, auth.BcryptVerifications);
        Assert.Equal((0, 0), (auth.Gate.Running, auth.Gate.Queued));
    }

    [Fact]
    public async Task Checks_run_in_parallel_up_to_the_concurrency_and_no_further()
    {
        var running = 0;
        var most = 0;
        using var finish = new SemaphoreSlim(0);
        var auth = new BasicAuthenticator(Users, TimeProvider.System, TimeSpan.FromMinutes(5), new BasicAuthLimits(3, 16, 256, 1024), (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            Assert.True(finish.Wait(Deadline));
            Interlocked.Decrement(ref running);
            return false;
        });

        var checks = Enumerable.Range(0, 12).Select(i => Verify(auth, $"wrong-{i}", $"198.51.100.{i}")).ToList();
        await Until(() => auth.Gate.Running == 3 && auth.Gate.Queued == 9, "three checks to run and nine to wait");
        Assert.Equal(3, Volatile.Read(ref running));
        finish.Release(12);
        Assert.All(await Task.WhenAll(checks).WaitAsync(Deadline), r => Assert.Equal(BasicAuthResult.Refused, r));
        Assert.Equal(3, most);
    }

    [Fact]
    public async Task Remembered_failures_are_bounded_and_a_flood_of_them_does_not_push_out_a_success()
    {
        var auth = new BasicAuthenticator(Users, TimeProvider.System, TimeSpan.FromMinutes(5), new BasicAuthLimits(2, 4, 256, MaxCachedFailures: 16), (password, _) => password == "right");

        Assert.Equal(BasicAuthResult.Verified, await Verify(auth, "right", Scraper));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(BasicAuthResult.Refused, await Verify(auth, $"wrong-{i}", Flooder));
        }

        Assert.Equal(16, auth.Cache.Failures);
        Assert.Equal(101, auth.BcryptVerifications);
        Assert.Equal(BasicAuthResult.Verified, await Verify(auth, "right", Scraper));
        Assert.Equal(BasicAuthResult.Refused, await Verify(auth, "wrong-99", Flooder));
        Assert.Equal(101, auth.BcryptVerifications);
        Assert.Equal(BasicAuthResult.Refused, await Verify(auth, "wrong-0", Flooder));
        Assert.Equal(102, auth.BcryptVerifications);
    }

    [Theory]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("::ffff:192.0.2.10", "192.0.2.10")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    public void A_client_is_its_address_and_an_IPv6_client_its_64(string address, string client)
    {
        Assert.Equal(client, BasicAuthenticator.ClientOf(IPAddress.Parse(address)));
        Assert.Equal("?", BasicAuthenticator.ClientOf(null));
    }

    [Fact]
    public void The_rate_limit_bucket_starts_full_refills_one_token_per_interval_and_never_above_the_burst()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var limiter = new RequestRateLimiter(new RateLimitConfig(TimeSpan.FromSeconds(1), 2), time);
        Assert.Equal([true, true, false], Take(limiter, 3));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal([false], Take(limiter, 1));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal([true, false], Take(limiter, 2));
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal([true, true, false], Take(limiter, 3));
        time.SetUtcNow(time.GetUtcNow().AddHours(2)); // the wall clock jumps: the bucket follows the monotonic clock, which does too here
        Assert.Equal([true, true, false], Take(limiter, 3));

        var none = new RequestRateLimiter(new RateLimitConfig(TimeSpan.FromSeconds(1), 0), time);
        time.Advance(TimeSpan.FromHours(3));
        Assert.Equal([false, false], Take(none, 2));
    }

    private static bool[] Take(RequestRateLimiter limiter, int n) => [.. Enumerable.Range(0, n).Select(_ => limiter.TryAcquire())];

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
