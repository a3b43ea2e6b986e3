using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Security;

/// <summary>
/// Certificates made with openssl for the TLS tests: a CA, a server certificate for 127.0.0.1 (RSA) signed by it,
/// a client certificate (EC) signed by it, and a second, untrusted CA with its own client certificate.
/// Made once per test class; removed on dispose.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly TempDir _dir = new();

    public TestPki()
    {
        Directory = _dir.Path;
        MakeCa("ca", "PortExporter test CA");
        MakeCa("rogue-ca", "Untrusted test CA");
        MakeLeaf("server", "ca", "rsa:2048", "127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
        MakeLeaf("client", "ca", "ec", "prometheus", "subjectAltName=DNS:prometheus.example,URI:spiffe://example/prometheus\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
        MakeLeaf("other-client", "ca", "ec", "grafana", "subjectAltName=DNS:grafana.example\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
        MakeLeaf("rogue-client", "rogue-ca", "ec", "prometheus", "subjectAltName=DNS:prometheus.example\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
    }

    public string Directory { get; }

    public string CaFile => PathOf("ca.pem");

    public string ServerCert => PathOf("server.pem");

    public string ServerKey => PathOf("server.key");

    public string PathOf(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>The named certificate with its key (client.pem + client.key), for an HttpClient.</summary>
    public X509Certificate2 ClientCertificate(string name) => X509Certificate2.CreateFromPemFile(PathOf($"{name}.pem"), PathOf($"{name}.key"));

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> in the PKI folder and returns its path.</summary>
    public string File(string name, string content) => _dir.File(name, content);

    public void Dispose() => _dir.Dispose();

    private void MakeCa(string name, string commonName)
    {
        Shell.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", PathOf($"{name}.key"), "-out", PathOf($"{name}.pem"), "-days", "2", "-subj", $"/CN={commonName}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    private void MakeLeaf(string name, string ca, string keyType, string commonName, string extensions)
    {
        var keyArgs = keyType == "ec" ? new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256" } : ["-newkey", keyType];
        Shell.Run("openssl", ["req", "-new", .. keyArgs, "-nodes", "-keyout", PathOf($"{name}.key"), "-out", PathOf($"{name}.csr"), "-subj", $"/CN={commonName}"]);
        var ext = _dir.File($"{name}.ext", extensions);
        var serial = "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        Shell.Run("openssl", "x509", "-req", "-in", PathOf($"{name}.csr"), "-CA", PathOf($"{ca}.pem"), "-CAkey", PathOf($"{ca}.key"),
            "-set_serial", serial, "-days", "2", "-extfile", ext, "-out", PathOf($"{name}.pem"));
    }
}
