using Microsoft.Extensions.Time.Testing;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

public sealed class BasicAuthenticatorTests
{
    private static readonly string AliceHash = BCrypt.Net.BCrypt.HashPassword("alice-secret", 4);
    private static readonly string BobHash = BCrypt.Net.BCrypt.HashPassword("bob-secret", 4);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly BasicAuthenticator _auth;

    public BasicAuthenticatorTests()
    {
        _auth = new BasicAuthenticator(new Dictionary<string, string> { ["alice"] = AliceHash, ["bob"] = BobHash }, _time, TimeSpan.FromMinutes(5));
    }

    private async ValueTask<bool> Verify(string user, string password) =>
        await _auth.VerifyAsync(new BasicCredentials(user, password), "127.0.0.1", CancellationToken.None) == BasicAuthResult.Verified;

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
    public async Task A_wrong_password_is_cached_like_a_right_one_and_does_not_evict_it()
    {
        Assert.True(await Verify("alice", "alice-secret"));
        Assert.False(await Verify("alice", "alice-secreT"));
        Assert.False(await Verify("alice", "alice-secreT"));
        Assert.False(await Verify("mallory", "alice-secret"));
        Assert.False(await Verify("mallory", "alice-secret"));
        Assert.Equal(3, _auth.BcryptVerifications);
        Assert.True(await Verify("alice", "alice-secret"));
        Assert.Equal(3, _auth.BcryptVerifications);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.False(await Verify("alice", "alice-secreT"));
        Assert.Equal(4, _auth.BcryptVerifications);
    }

    [Fact]
    public async Task Another_users_password_does_not_open_an_account()
    {
        Assert.True(await Verify("bob", "bob-secret"));
        Assert.False(await Verify("alice", "bob-secret"));
        Assert.False(await Verify("bob", "alice-secret"));
    }

    [Fact]
    public async Task An_unknown_user_costs_a_bcrypt_check_against_the_fixed_cost_decoy_and_fails()
    {
        var checkedHashes = new List<string>();
        var auth = new BasicAuthenticator(new Dictionary<string, string> { ["alice"] = AliceHash }, _time, TimeSpan.FromMinutes(5), bcryptVerify: (password, hash) =>
        {
            lock (checkedHashes)
            {
                checkedHashes.Add(hash);
            }

            return BCrypt.Net.BCrypt.Verify(password, hash);
        });

        // Even with the password of the only user: the decoy is not a user's hash.
        Assert.Equal(BasicAuthResult.Refused, await auth.VerifyAsync(new BasicCredentials("mallory", "alice-secret"), "127.0.0.1", CancellationToken.None));
        Assert.Equal(BasicAuthResult.Refused, await auth.VerifyAsync(new BasicCredentials("mallory", "bob-secret"), "127.0.0.1", CancellationToken.None));

        Assert.Equal([BasicAuthenticator.DecoyHash, BasicAuthenticator.DecoyHash], checkedHashes);
        Assert.NotEqual(AliceHash, BasicAuthenticator.DecoyHash);
        Assert.StartsWith($"$2a${WebSecurityDefaults.DecoyCost}$", BasicAuthenticator.DecoyHash, StringComparison.Ordinal);
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
