using System.Runtime.InteropServices;
using System.Text.Json;

namespace PortExporter.Firewall.Nftables;

/// <summary>
/// The characters of nft JSON keys and string values without a string of their own: nft prints short plain ASCII
/// (keys, operators, protocol and field names, addresses), which is copied straight from the document into a
/// caller's buffer; anything longer, escaped or non-ASCII is decoded as usual. A parse of 10k rules asked
/// <see cref="JsonProperty.Name"/> and <see cref="JsonElement.GetString"/> for a few million bytes of strings that
/// died at once (measured in bench/RESULTS.md).
/// </summary>
internal static class NftJsonChars
{
    /// <summary>The buffer a caller provides: longer than every key, word and address nft prints.</summary>
    public const int MaxChars = 64;

    /// <summary>A property's name in <paramref name="buffer"/> when it is short plain ASCII, else as a new string.</summary>
    public static ReadOnlySpan<char> Name(JsonProperty p, Span<char> buffer)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(p);
        return Ascii(raw, buffer) ? buffer[..raw.Length] : p.Name;
    }

    /// <summary>A JSON string's value in <paramref name="buffer"/> when it is short plain ASCII, else as a new string.</summary>
    public static ReadOnlySpan<char> Value(JsonElement e, Span<char> buffer)
    {
        var raw = JsonMarshal.GetRawUtf8Value(e);
        return raw.Length >= 2 && Ascii(raw[1..^1], buffer) ? buffer[..(raw.Length - 2)] : e.GetString();
    }

    /// <summary>Whether a JSON string's value starts with <c>@</c> (a set reference), without decoding it.</summary>
    public static bool StartsWithAt(JsonElement e)
    {
        var raw = JsonMarshal.GetRawUtf8Value(e);
        return raw.Contains((byte)'\\') ? e.GetString()!.StartsWith('@') : raw.Length > 1 && raw[1] == (byte)'@';
    }

    /// <summary>Copies <paramref name="utf8"/> into <paramref name="chars"/> when it fits and is ASCII without escapes.</summary>
    public static bool Ascii(ReadOnlySpan<byte> utf8, Span<char> chars)
    {
        if (utf8.Length > chars.Length)
        {
            return false;
        }

        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b >= 0x80 || b == (byte)'\\')
            {
                return false;
            }

            chars[i] = (char)b;
        }

        return true;
    }
}
