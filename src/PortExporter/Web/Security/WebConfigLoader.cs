using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PortExporter.Core.Configuration;

namespace PortExporter.Web.Security;

/// <summary>
/// Reads the <c>--web.config.file</c>, parses it with <see cref="WebConfigParser"/> and loads the certificates it
/// names, so that every problem (missing file, garbage PEM, key that does not match the certificate, client CA
/// without a certificate) is found at start, as a <see cref="ConfigException"/> naming the web config, the line and
/// the key that named the bad file.
/// </summary>
public static class WebConfigLoader
{
    /// <summary>Largest web config, certificate or key file read.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Reads, validates and loads <paramref name="path"/>.</summary>
    public static WebSecurityConfig Load(string path)
    {
        var text = ReadBounded(path) ?? throw new ConfigException(path, "cannot read web config file: " + ReadError(path));
        var config = WebConfigParser.Parse(text, path);
        return new WebSecurityConfig(config, config.Tls is { } tls ? LoadTls(tls, path) : null);
    }

    /// <summary>Loads the certificates and keys named by <paramref name="tls"/>; <paramref name="webConfigFile"/> names errors.</summary>
    public static ServerTls LoadTls(TlsServerConfig tls, string webConfigFile)
    {
        var certificatePem = ReadPem(tls.Certificate, webConfigFile);
        var keyPem = ReadPem(tls.Key, webConfigFile);
        var all = ImportCertificates(certificatePem, tls.Certificate, webConfigFile, "a PEM CERTIFICATE block");
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (ArgumentException e)
        {
            // .NET checks that the key's public half is the certificate's and throws ArgumentException when it is not
            // (a key of the same algorithm made for another certificate).
            throw Error(webConfigFile, tls.Key, $"the private key in {tls.Key.Describe()} does not belong to the certificate in {tls.Certificate.Describe()}; give the key the certificate was issued for", e);
        }
        catch (CryptographicException e)
        {
            var why = keyPem.Contains("ENCRYPTED", StringComparison.Ordinal)
                ? "encrypted private keys are not supported; give the key unencrypted (readable only by the exporter's user)"
                : $"the private key cannot be used with the certificate in {tls.Certificate.Describe()}: {e.Message}";
            throw Error(webConfigFile, tls.Key, why, e);
        }

        if (!certificate.HasPrivateKey)
        {
            throw Error(webConfigFile, tls.Key, "no private key found");
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++)
        {
            intermediates.Add(all[i]);
        }

        var clientCas = tls.ClientCa is { } ca
            ? ImportCertificates(ReadPem(ca, webConfigFile), ca, webConfigFile, "at least one PEM CERTIFICATE block of a client CA")
            : [];
        return new ServerTls(tls, certificate, intermediates, clientCas);
    }

    private static X509Certificate2Collection ImportCertificates(string pem, PemSource source, string webConfigFile, string expected)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw Error(webConfigFile, source, $"expected {expected} in {source.Describe()}: {e.Message}", e);
        }

        return collection.Count > 0 ? collection : throw Error(webConfigFile, source, $"expected {expected} in {source.Describe()}, found none");
    }

    private static string ReadPem(PemSource source, string webConfigFile)
    {
        if (source.Text is { } inline)
        {
            return inline;
        }

        return ReadBounded(source.Path!) ?? throw Error(webConfigFile, source, $"cannot read {source.Path}: {ReadError(source.Path!)}");
    }

    private static string? ReadBounded(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.CanSeek && stream.Length > MaxFileBytes)
            {
                return null;
            }

            using var reader = new StreamReader(stream);
            var buffer = new char[MaxFileBytes + 1];
            var read = reader.ReadBlock(buffer, 0, buffer.Length);
            return read > MaxFileBytes ? null : new string(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static string ReadError(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return Directory.Exists(path) ? "is a directory" : "no such file";
            }

            if (info.Length > MaxFileBytes)
            {
                return $"larger than {MaxFileBytes} bytes";
            }

            using var _ = info.OpenRead();
            return "unreadable";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return e.Message;
        }
    }

    private static ConfigException Error(string webConfigFile, PemSource source, string problem, Exception? inner = null)
    {
        _ = inner;
        return new ConfigException(webConfigFile, source.Line, source.Column, $"tls_server_config.{source.Key}", problem);
    }
}
