using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace PortExporter.Firewall.Tests;

/// <summary>
/// The managed SHA-256 gives the digest .NET's own (OpenSSL's) gives, at every length around the 64-byte block and
/// its padding, in one piece and in parts; the in-memory key is XXH128.
/// </summary>
public sealed class ContentHashTests
{
    public static TheoryData<int> Lengths() => [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 100_003];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sha256_is_the_standard_digest(int length)
    {
        var content = Content(length);

        Span<byte> digest = stackalloc byte[ContentHash.Sha256Bytes];
        ContentHash.Sha256(content, digest);

        Assert.Equal(SHA256.HashData(content), digest.ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), ContentHash.Sha256Hex(content));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sha256_in_parts_is_the_digest_of_the_whole(int length)
    {
        var content = Content(length);
        var builder = ContentHash.Sha256Incremental();
        for (var at = 0; at < length;)
        {
            var take = Math.Min(length - at, 1 + (at % 97));
            builder.Append(content.AsSpan(at, take));
            at += take;
        }

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), builder.FinishHex());

        // The builder starts over after a digest.
        builder.Append(content);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), builder.FinishHex());
    }

    [Fact]
    public void Sha256_of_a_known_text()
    {
        // FIPS 180-2, appendix B.1.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ContentHash.Sha256Hex("abc"u8));
    }

    [Fact]
    public void Key_is_xxh128_and_tells_contents_apart()
    {
        var a = Encoding.UTF8.GetBytes("tcp dport 8080 accept");
        var b = Encoding.UTF8.GetBytes("tcp dport 8081 accept");

        Assert.Equal(XxHash128.HashToUInt128(a), ContentHash.Key(a));
        Assert.NotEqual(ContentHash.Key(a), ContentHash.Key(b));
    }

    private static byte[] Content(int length)
    {
        var content = new byte[length];
        new Random(length).NextBytes(content);
        return content;
    }
}
