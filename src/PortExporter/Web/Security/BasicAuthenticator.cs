using BCrypt.Net;

namespace PortExporter.Web.Security;

/// <summary>
/// Checks basic auth credentials against <c>basic_auth_users</c> with BCrypt.Net-Next, as the exporter-toolkit
/// does: an unknown user costs the same bcrypt verification as a known one (against a configured hash, then
/// refused) so that timing does not reveal user names; one bcrypt verification runs at a time, so a flood of wrong
/// passwords takes one core, not all of them; successes are remembered briefly in a
/// <see cref="VerifiedCredentialCache"/>. Thread-safe.
/// </summary>
public sealed class BasicAuthenticator : IDisposable
{
    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly string _decoyHash;
    private readonly VerifiedCredentialCache _cache;
    private readonly SemaphoreSlim _bcryptGate = new(1, 1);
    private long _bcryptVerifications;

    public BasicAuthenticator(IReadOnlyDictionary<string, string> users, TimeProvider time, TimeSpan cacheLifetime)
    {
        if (users.Count == 0)
        {
            throw new ArgumentException("at least one user is needed", nameof(users));
        }

        _users = users;
        _decoyHash = users.OrderBy(u => u.Key, StringComparer.Ordinal).First().Value;
        _cache = new VerifiedCredentialCache(time, cacheLifetime);
    }

    /// <summary>How many bcrypt verifications ran (the cache's effect shows here).</summary>
    public long BcryptVerifications => Interlocked.Read(ref _bcryptVerifications);

    /// <summary>True when <paramref name="credentials"/> name a configured user and its password.</summary>
    public async ValueTask<bool> VerifyAsync(BasicCredentials credentials, CancellationToken cancellationToken)
    {
        var known = _users.TryGetValue(credentials.User, out var hash);
        if (known && _cache.Contains(credentials.User, credentials.Password))
        {
            return true;
        }

        await _bcryptGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have verified the same credentials while this one waited.
            if (known && _cache.Contains(credentials.User, credentials.Password))
            {
                return true;
            }

            Interlocked.Increment(ref _bcryptVerifications);
            bool matches;
            try
            {
                matches = BCrypt.Net.BCrypt.Verify(credentials.Password, known ? hash : _decoyHash);
            }
            catch (Exception e) when (e is SaltParseException or ArgumentException or BcryptAuthenticationException)
            {
                matches = false;
            }

            if (known && matches)
            {
                _cache.Remember(credentials.User, credentials.Password);
                return true;
            }

            return false;
        }
        finally
        {
            _bcryptGate.Release();
        }
    }

    public void Dispose() => _bcryptGate.Dispose();
}
