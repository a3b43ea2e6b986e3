using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BCrypt.Net;

namespace PortExporter.Web.Security;

/// <summary>
/// Checks basic auth credentials against <c>basic_auth_users</c> with BCrypt.Net-Next, as the exporter-toolkit does,
/// with bounds on the work a client can cause:
/// <list type="bullet">
/// <item>an unknown user costs a bcrypt check against <see cref="DecoyHash"/>, a hash of fixed cost
/// (<see cref="WebSecurityDefaults.DecoyCost"/>) made at start, not a user's, so timing does not reveal user
/// names and a user's high cost does not apply to every stranger;</item>
/// <item>how each check ended, failure or success, is cached for a while by a hash of the credentials
/// (<see cref="CredentialCheckCache"/>), and concurrent requests with the same credentials share one check;</item>
/// <item>checks run at most <see cref="BasicAuthLimits.Concurrency"/> at once; waiting ones are admitted
/// round-robin across clients, with bounded queues (<see cref="BcryptGate"/>), so a flood of wrong passwords from
/// one client cannot hold back another client's login behind the whole flood.</item>
/// </list>
/// Thread-safe.
/// </summary>
public sealed class BasicAuthenticator
{
    /// <summary>bcrypt hash of a random password nobody knows, checked for unknown users.</summary>
    public static readonly string DecoyHash = BCrypt.Net.BCrypt.HashPassword(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)), WebSecurityDefaults.DecoyCost);

    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly CredentialCheckCache _cache;
    private readonly BcryptGate _gate;
    private readonly Func<string, string, bool> _bcryptVerify;
    private readonly ConcurrentDictionary<string, Lazy<Task<BasicAuthResult>>> _inFlight = new(StringComparer.Ordinal);
    private long _bcryptVerifications;

    /// <param name="users">basic_auth_users: user to bcrypt hash; at least one.</param>
    /// <param name="time">Clock of the cache.</param>
    /// <param name="cacheLifetime">How long a check's result is remembered.</param>
    /// <param name="limits">Concurrency, queues and cache size; <see cref="BasicAuthLimits.Default"/> when null.</param>
    /// <param name="bcryptVerify">(password, hash) to match: BCrypt.Net's Verify unless a test replaces it.</param>
    public BasicAuthenticator(IReadOnlyDictionary<string, string> users, TimeProvider time, TimeSpan cacheLifetime, BasicAuthLimits? limits = null, Func<string, string, bool>? bcryptVerify = null)
    {
        if (users.Count == 0)
        {
            throw new ArgumentException("at least one user is needed", nameof(users));
        }

        limits ??= BasicAuthLimits.Default;
        _users = users;
        _cache = new CredentialCheckCache(time, cacheLifetime, limits.MaxCachedFailures);
        _gate = new BcryptGate(limits.Concurrency, limits.MaxQueuedPerClient, limits.MaxQueued);
        _bcryptVerify = bcryptVerify ?? BcryptVerify;
    }

    /// <summary>How many bcrypt checks ran (the cache's effect shows here).</summary>
    public long BcryptVerifications => Interlocked.Read(ref _bcryptVerifications);

    /// <summary>The admission of bcrypt checks (running and waiting counts).</summary>
    public BcryptGate Gate => _gate;

    /// <summary>The results of checks.</summary>
    public CredentialCheckCache Cache => _cache;

    /// <summary>
    /// The client a check is queued for: the remote address, an IPv6 one by its /64 (one host's share), "?" when
    /// not known.
    /// </summary>
    public static string ClientOf(IPAddress? remote) => ClientAddress.Of(remote) switch
    {
        null => "?",
        { AddressFamily: AddressFamily.InterNetworkV6 } client => client + "/64",
        var client => client.ToString(),
    };

    /// <summary>Checks <paramref name="credentials"/> sent by <paramref name="client"/> (see <see cref="ClientOf"/>).</summary>
    public async ValueTask<BasicAuthResult> VerifyAsync(BasicCredentials credentials, string client, CancellationToken cancellationToken)
    {
        var key = _cache.KeyOf(credentials.User, credentials.Password);
        if (_cache.Lookup(credentials.User, key) is { } cached)
        {
            return cached ? BasicAuthResult.Verified : BasicAuthResult.Refused;
        }

        var check = _inFlight.GetOrAdd(key, k => new Lazy<Task<BasicAuthResult>>(() => CheckAsync(k, credentials, client)));
        return await check.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The one bcrypt check of these credentials; requests with the same credentials meanwhile share it.</summary>
    private async Task<BasicAuthResult> CheckAsync(string key, BasicCredentials credentials, string client)
    {
        try
        {
            if (!await _gate.TryEnterAsync(client).ConfigureAwait(false))
            {
                return BasicAuthResult.Busy;
            }

            bool verified;
            try
            {
                var known = _users.TryGetValue(credentials.User, out var hash);
                Interlocked.Increment(ref _bcryptVerifications);
                verified = _bcryptVerify(credentials.Password, known ? hash! : DecoyHash) && known;
            }
            finally
            {
                _gate.Release();
            }

            _cache.Remember(credentials.User, key, verified);
            return verified ? BasicAuthResult.Verified : BasicAuthResult.Refused;
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    private static bool BcryptVerify(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (Exception e) when (e is SaltParseException or ArgumentException or BcryptAuthenticationException)
        {
            return false;
        }
    }
}
