using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace PortExporter.Web.Security;

/// <summary>
/// Remembers, for a short time, that a user's password verified against its bcrypt hash, so that a scraper that
/// sends the same credentials every 15 seconds pays bcrypt's cost once per <see cref="Lifetime"/> and not once per
/// scrape. It keeps no password: one entry per configured user holds an HMAC-SHA256 of user and password under a
/// key made at start, compared in constant time. Only successes are remembered, and only for configured users, so
/// its size is bounded by basic_auth_users. Thread-safe.
/// </summary>
public sealed class VerifiedCredentialCache(TimeProvider time, TimeSpan lifetime)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public TimeSpan Lifetime { get; } = lifetime;

    /// <summary>True when <paramref name="user"/> verified with this <paramref name="password"/> less than <see cref="Lifetime"/> ago.</summary>
    public bool Contains(string user, string password)
    {
        var mac = Mac(user, password);
        return _entries.TryGetValue(user, out var entry)
            & CryptographicOperations.FixedTimeEquals(mac, entry?.Mac ?? new byte[mac.Length])
            && time.GetUtcNow() < entry!.Expires;
    }

    /// <summary>Records a successful bcrypt verification.</summary>
    public void Remember(string user, string password) =>
        _entries[user] = new Entry(Mac(user, password), time.GetUtcNow() + Lifetime);

    private byte[] Mac(string user, string password)
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
        return mac;
    }

    private sealed record Entry(byte[] Mac, DateTimeOffset Expires);
}
