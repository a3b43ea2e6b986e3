using System.Net;
using System.Text;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Probes;

/// <summary>
/// A remote PortExporter stand-in for the remote-vantage client: an <see cref="HttpListener"/> started inside a
/// namespace that serves <see cref="ProbeRequestHandler"/> on <c>/probe</c> with its own config, or, when given
/// <paramref name="garbage"/>, answers every request with that HTML page.
/// </summary>
internal sealed class FakeRemoteVantage : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public FakeRemoteVantage(NetnsThread netns, IPAddress address, int port, ExporterConfig config, ProbeRequestHandler handler, string? garbage = null)
    {
        Url = new Uri($"http://{address}:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        netns.Invoke(() =>
        {
            _listener.Start();
            return true;
        });
        _serving = Task.Run(() => ServeAsync(config, handler, garbage));
    }

    public Uri Url { get; }

    public List<string> Requests { get; } = [];

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync(ExporterConfig config, ProbeRequestHandler handler, string? garbage)
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                lock (Requests)
                {
                    Requests.Add($"{context.Request.Url!.PathAndQuery} timeout={context.Request.Headers[RemoteVantageClient.ScrapeTimeoutHeader]}");
                }

                ProbeResponse response;
                if (garbage is not null)
                {
                    response = new ProbeResponse(200, "text/html", garbage);
                }
                else
                {
                    var query = context.Request.QueryString.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.QueryString[k], StringComparer.Ordinal);
                    var timeout = ProbeRequestHandler.ParseScrapeTimeout(context.Request.Headers[RemoteVantageClient.ScrapeTimeoutHeader]);
                    response = context.Request.Url!.AbsolutePath == "/probe"
                        ? await handler.HandleAsync(query, timeout, config, CancellationToken.None)
                        : new ProbeResponse(404, ProbeResponse.TextContentType, "not found\n");
                }

                var body = Encoding.UTF8.GetBytes(response.Body);
                context.Response.StatusCode = response.StatusCode;
                context.Response.ContentType = response.ContentType;
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            });
        }
    }
}
