using System.Security.Cryptography;
using System.Text;

namespace PortExporter.Web.Security;

/// <summary>
/// Remembers, for <see cref="Lifetime"/>, how a bcrypt check of a user and password ended, failures as well as
/// successes (as the exporter-toolkit does), so that neither a scraper that sends the same credentials every 15 s
/// nor a client that repeats a wrong password costs more than one bcrypt check per lifetime. It keeps no password:
/// entries are keyed by an HMAC-SHA256 of user and password under a key made at start (<see cref="KeyOf"/>).
/// Successes are kept one per user, apart from failures, so a flood of wrong passwords cannot push a scraper's
/// success out; at most <c>maxFailures</c> failures are kept, the oldest forgotten first. Thread-safe.
/// </summary>
public sealed class CredentialCheckCache(TimeProvider time, TimeSpan lifetime, int maxFailures)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Key, DateTimeOffset Expires)> _successes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _failures = new(StringComparer.Ordinal);
    private readonly Queue<string> _failureOrder = new();

    public TimeSpan Lifetime { get; } = lifetime;

    /// <summary>Failures remembered now (at most the configured maximum).</summary>
    public int Failures
    {
        get
        {
            lock (_lock)
            {
                return _failures.Count;
            }
        }
    }

    /// <summary>The cache key of these credentials: a hex HMAC-SHA256 of user and password.</summary>
    public string KeyOf(string user, string password)
    {
        var userBytes = Encoding.UTF8.GetBytes(user);
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        var message = new byte[4 + userBytes.Length + passwordBytes.Length];
        BitConverter.TryWriteBytes(message.AsSpan(0, 4), userBytes.Length);
        userBytes.CopyTo(message, 4);
        passwordBytes.CopyTo(message, 4 + userBytes.Length);
        var mac = HMACSHA256.HashData(_key, message);
        CryptographicOperations.ZeroMemory(passwordBytes);
        CryptographicOperations.ZeroMemory(message);
        return Convert.ToHexString(mac);
    }

    /// <summary>True or false when a check of <paramref name="key"/> ended so less than <see cref="Lifetime"/> ago; null when not known.</summary>
    public bool? Lookup(string user, string key)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_successes.TryGetValue(user, out var success)
                && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(success.Key), Encoding.ASCII.GetBytes(key))
                && now < success.Expires)
            {
                return true;
            }

            return _failures.TryGetValue(key, out var expires) && now < expires ? false : null;
        }
    }

    /// <summary>Records how the check of <paramref name="key"/> (credentials of <paramref name="user"/>) ended.</summary>
    public void Remember(string user, string key, bool verified)
    {
        lock (_lock)
        {
            var expires = time.GetUtcNow() + Lifetime;
            if (verified)
            {
                _successes[user] = (key, expires);
                return;
            }

            if (_failures.ContainsKey(key))
            {
                _failures[key] = expires;
                return;
            }

            while (_failures.Count >= maxFailures && _failureOrder.TryDequeue(out var oldest))
            {
                _failures.Remove(oldest);
            }

            _failures[key] = expires;
            _failureOrder.Enqueue(key);
        }
    }
}
