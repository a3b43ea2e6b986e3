using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace PortExporter.Web.Security;

/// <summary>
/// The subject alternative names of a certificate as <c>client_allowed_sans</c> compares them: DNS names, IP
/// addresses, e-mail addresses and URIs, each as plain text (as Go's crypto/x509 exposes them).
/// </summary>
public static class SubjectAlternativeNames
{
    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>The SANs of <paramref name="certificate"/>; empty when it has none or they cannot be decoded.</summary>
    public static IReadOnlyList<string> Of(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[SubjectAltNameOid];
        return extension is null ? [] : Parse(extension.RawData);
    }

    /// <summary>Decodes a DER SubjectAltName extension value (RFC 5280 GeneralNames); malformed input gives what was read so far.</summary>
    public static IReadOnlyList<string> Parse(ReadOnlyMemory<byte> der)
    {
        var names = new List<string>();
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    sequence.ReadEncodedValue();
                    continue;
                }

                switch (tag.TagValue)
                {
                    case 1: // rfc822Name
                    case 2: // dNSName
                    case 6: // uniformResourceIdentifier
                        names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                        break;
                    case 7: // iPAddress
                        var bytes = sequence.ReadOctetString(tag);
                        if (bytes.Length is 4 or 16)
                        {
                            names.Add(new IPAddress(bytes).ToString());
                        }

                        break;
                    default:
                        sequence.ReadEncodedValue();
                        break;
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension yields the names decoded before the damage.
        }

        return names;
    }
}
