using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using PortExporter.Cli;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Hosting;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Security;

/// <summary>The exporter built by <see cref="ServeVerb.Build"/> with a web config, listening on a free loopback port.</summary>
public sealed class SecureHost : IAsyncDisposable
{
    private readonly TempDir _dir;

    private SecureHost(TempDir dir, WebApplication app, int port)
    {
        _dir = dir;
        App = app;
        Port = port;
    }

    public WebApplication App { get; }

    public int Port { get; }

    public Uri Https => new($"https://127.0.0.1:{Port}");

    public Uri Http => new($"http://127.0.0.1:{Port}");

    public static async Task<SecureHost> StartAsync(string webConfigFile)
    {
        var dir = new TempDir();
        var configFile = dir.File("config.yml", "probes:\n  enabled: false\nports:\n  - name: web\n    port: 8080\n");
        var port = FreePort.Next();
        var settings = new ExporterSettings(
            configFile, HostPaths.Default, Microsoft.Extensions.Logging.LogLevel.Warning, LogFormat.Logfmt,
            new ListenAddress(IPAddress.Loopback, port), "/metrics", webConfigFile);
        var app = ServeVerb.Build(settings, ConfigLoader.Load(configFile));
        await app.StartAsync();
        return new SecureHost(dir, app, port);
    }

    /// <summary>
    /// An HTTPS client that trusts only the test CA (so the test also proves the server presents the right
    /// certificate), optionally presenting <paramref name="clientCertificate"/> and limited to <paramref name="protocols"/>.
    /// </summary>
    public static HttpClient Client(TestPki pki, X509Certificate2? clientCertificate = null, SslProtocols protocols = SslProtocols.None)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(pki.CaFile);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    using var leaf = new X509Certificate2(certificate);
                    return chain.Build(leaf) && leaf.MatchesHostname("127.0.0.1");
                },
            },
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        _dir.Dispose();
    }
}
