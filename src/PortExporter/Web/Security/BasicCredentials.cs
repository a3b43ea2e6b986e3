using System.Text;

namespace PortExporter.Web.Security;

/// <summary>The user and password of an <c>Authorization: Basic</c> request header (RFC 7617).</summary>
public sealed record BasicCredentials(string User, string Password)
{
    /// <summary>Longest Authorization header looked at; longer ones are refused unparsed.</summary>
    public const int MaxHeaderLength = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses <paramref name="authorization"/>; false for a missing header, another scheme, bad base64, bytes that
    /// are not UTF-8, or no ':' between user and password. Never throws.
    /// </summary>
    public static bool TryParse(string? authorization, out BasicCredentials? credentials)
    {
        credentials = null;
        if (authorization is null || authorization.Length > MaxHeaderLength)
        {
            return false;
        }

        var text = authorization.AsSpan().Trim();
        const string Scheme = "Basic ";
        if (text.Length <= Scheme.Length || !text[..Scheme.Length].Equals(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var encoded = text[Scheme.Length..].TrimStart(' ');
        var bytes = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var length))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        credentials = new BasicCredentials(decoded[..colon], decoded[(colon + 1)..]);
        return true;
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"BasicCredentials {{ User = {User} }}";
}
