using Microsoft.Extensions.Time.Testing;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

public sealed class BasicAuthenticatorTests : IDisposable
{
    private static readonly string AliceHash = BCrypt.Net.BCrypt.HashPassword("alice-secret", 4);
    private static readonly string BobHash = BCrypt.Net.BCrypt.HashPassword("bob-secret", 4);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly BasicAuthenticator _auth;

    public BasicAuthenticatorTests()
    {
        _auth = new BasicAuthenticator(new Dictionary<string, string> { ["alice"] = AliceHash, ["bob"] = BobHash }, _time, TimeSpan.FromMinutes(5));
    }

    public void Dispose() => _auth.Dispose();

    private ValueTask<bool> Verify(string user, string password) => _auth.VerifyAsync(new BasicCredentials(user, password), CancellationToken.None);

    [Fact]
    public async Task A_verified_password_is_remembered_until_its_lifetime_ends()
    {
        Assert.True(await Verify("alice", "alice-secret"));
        Assert.Equal(1, _auth.BcryptVerifications);
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(await Verify("alice", "alice-secret"));
        Assert.Equal(1, _auth.BcryptVerifications);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await Verify("alice", "alice-secret"));
        Assert.Equal(2, _auth.BcryptVerifications);
    }

    [Fact]
    public async Task A_wrong_password_is_never_cached_and_does_not_evict_the_right_one()
    {
        Assert.True(await Verify("alice", "alice-secret"));
        Assert.False(await Verify("alice", "alice-secreT"));
        Assert.False(await Verify("alice", "alice-secreT"));
        Assert.Equal(3, _auth.BcryptVerifications);
        Assert.True(await Verify("alice", "alice-secret"));
        Assert.Equal(3, _auth.BcryptVerifications);
    }

    [Fact]
    public async Task Another_users_password_does_not_open_an_account()
    {
        Assert.True(await Verify("bob", "bob-secret"));
        Assert.False(await Verify("alice", "bob-secret"));
        Assert.False(await Verify("bob", "alice-secret"));
    }

    [Fact]
    public async Task An_unknown_user_costs_a_bcrypt_verification_like_a_known_one_and_fails()
    {
        // Even with the password of the hash used as decoy.
        Assert.False(await Verify("mallory", "alice-secret"));
        Assert.False(await Verify("mallory", "bob-secret"));
        Assert.Equal(2, _auth.BcryptVerifications);
    }

    [Fact]
    public async Task Concurrent_first_scrapes_run_bcrypt_once()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Verify("bob", "bob-secret").AsTask()));
        Assert.All(results, Assert.True);
        Assert.Equal(1, _auth.BcryptVerifications);
    }

    [Fact]
    public void No_users_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => new BasicAuthenticator(new Dictionary<string, string>(), _time, TimeSpan.FromMinutes(1)));
    }
}
