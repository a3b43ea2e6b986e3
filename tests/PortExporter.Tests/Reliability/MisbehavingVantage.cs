using System.Net;
using System.Text;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Reliability;

/// <summary>
/// A remote vantage gone wrong, listening on 127.0.0.1 inside a test namespace (the listener's socket is made on a
/// <see cref="NetnsThread"/>): it answers every request after <paramref name="delay"/> with
/// <paramref name="status"/>, <paramref name="contentType"/> and <paramref name="body"/>.
/// </summary>
public sealed class MisbehavingVantage : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _answered;

    public MisbehavingVantage(NetnsThread netns, int port, TimeSpan delay, int status, string contentType, string body)
    {
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        netns.Invoke(() =>
        {
            _listener.Start();
            return true;
        });
        _serving = Task.Run(() => ServeAsync(delay, status, contentType, Encoding.UTF8.GetBytes(body)));
    }

    public Uri Url { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests answered whole (after the delay).</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>Completes when the first request has arrived (and is being held for the delay).</summary>
    public Task FirstRequest => _firstRequest.Task;

    /// <summary>Waits until more than <paramref name="seen"/> requests have arrived (at most 30 s: then the test fails).</summary>
    public async Task RequestAfterAsync(int seen)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Requests <= seen)
        {
            try
            {
                await Task.Delay(20, patience.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no request after the first {seen} within 30 s");
            }
        }
    }

    /// <summary>Junk with a 200 and the content type of a real answer.</summary>
    public static string Junk => "<html>\u0001 port_probe_success{{{ not exposition\n\u00ff\u00fe garbage 12 34\n";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(TimeSpan delay, int status, string contentType, byte[] body)
    {
        while (!_stop.IsCancellationRequested)
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

            Interlocked.Increment(ref _requests);
            _firstRequest.TrySetResult();
            _ = Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(delay, _stop.Token);
                    context.Response.StatusCode = status;
                    context.Response.ContentType = contentType;
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body, _stop.Token);
                    context.Response.Close();
                    Interlocked.Increment(ref _answered);
                }
                catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException or IOException)
                {
                    context.Response.Abort();
                }
            });
        }
    }
}
