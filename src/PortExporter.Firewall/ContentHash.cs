using System.IO.Hashing;
using Org.BouncyCastle.Crypto.Digests;

namespace PortExporter.Firewall;

/// <summary>
/// The hashes of content the exporter fingerprints, in one place. SHA-256 (the digests a baseline file holds and
/// <c>sha256sum</c> can check) is computed in managed code: .NET's own SHA-256 on Linux is OpenSSL's, and loading
/// <c>libcrypto</c> for it costs a process that needs no TLS about 4 MiB of resident memory (bench/RESULTS.md).
/// Keys that never leave the process (<see cref="CompiledRuleCache"/>) take XXH128, a non-cryptographic hash many
/// times faster: a ruleset is read by root alone, so nobody the exporter does not trust chooses what is hashed. Pure.
/// </summary>
public static class ContentHash
{
    /// <summary>Bytes of a SHA-256 digest.</summary>
    public const int Sha256Bytes = 32;

    /// <summary>The SHA-256 of <paramref name="content"/> into <paramref name="digest"/> (at least <see cref="Sha256Bytes"/>).</summary>
    public static void Sha256(ReadOnlySpan<byte> content, Span<byte> digest)
    {
        var sha = new Sha256Digest();
        sha.BlockUpdate(content);
        sha.DoFinal(digest);
    }

    /// <summary>The SHA-256 of <paramref name="content"/> as lower-case hex.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> content)
    {
        Span<byte> digest = stackalloc byte[Sha256Bytes];
        Sha256(content, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>A SHA-256 over content given in parts.</summary>
    public static Sha256Builder Sha256Incremental() => new();

    /// <summary>The XXH128 of <paramref name="content"/>: a key kept in memory, never shown or stored.</summary>
    public static UInt128 Key(ReadOnlySpan<byte> content) => XxHash128.HashToUInt128(content);

    /// <summary>A SHA-256 fed a part at a time. Not thread-safe.</summary>
    public sealed class Sha256Builder
    {
        private readonly Sha256Digest _sha = new();

        public void Append(ReadOnlySpan<byte> part) => _sha.BlockUpdate(part);

        /// <summary>The digest of everything appended, into <paramref name="digest"/>; the builder starts over.</summary>
        public void Finish(Span<byte> digest) => _sha.DoFinal(digest);

        /// <summary>The digest of everything appended as lower-case hex; the builder starts over.</summary>
        public string FinishHex()
        {
            Span<byte> digest = stackalloc byte[Sha256Bytes];
            Finish(digest);
            return Convert.ToHexStringLower(digest);
        }
    }
}
