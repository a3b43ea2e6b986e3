using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using PortExporter.Cli;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Hosting;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Host;

/// <summary>The web application of <c>port-exporter</c> on a free loopback port, with a config file the test may rewrite.</summary>
internal sealed class ExporterHost : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly WebApplication _app;

    private ExporterHost(TempDir dir, WebApplication app, string configFile, int port)
    {
        _dir = dir;
        _app = app;
        ConfigFile = configFile;
        Port = port;
        Http = Client(IPAddress.Loopback);
    }

    public string ConfigFile { get; }

    public int Port { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ExporterHost> StartAsync(string configYaml, Func<ExporterSettings, ExporterSettings>? adjust = null)
    {
        var dir = new TempDir();
        var configFile = dir.File("config.yml", configYaml);
        var port = FreePort.Next();
        var settings = new ExporterSettings(
            configFile, HostPaths.Default, Microsoft.Extensions.Logging.LogLevel.Warning, LogFormat.Logfmt,
            new ListenAddress(IPAddress.Loopback, port), "/metrics", null);
        var app = ServeVerb.Build(adjust?.Invoke(settings) ?? settings, ConfigLoader.Load(configFile));
        await app.StartAsync();
        return new ExporterHost(dir, app, configFile, port);
    }

    /// <summary>A client of the exporter whose connections come from <paramref name="source"/> (a loopback address).</summary>
    public HttpClient Client(IPAddress source) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };

    /// <summary>The value of an unlabelled sample in the exporter's own <c>/metrics</c>.</summary>
    public async Task<double> SampleAsync(string name)
    {
        var body = await Http.GetStringAsync("/metrics");
        var line = body.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }
}
