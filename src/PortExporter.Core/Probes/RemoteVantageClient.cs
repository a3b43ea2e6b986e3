using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Probes;

/// <summary>
/// Asks a remote PortExporter (a configured <c>vantages:</c> entry) for its view of a port:
/// <c>GET {url}/probe?port=PORT&amp;protocol=tcp|udp</c> with <c>X-Prometheus-Scrape-Timeout-Seconds</c> set to the
/// time left, so the remote answers before this host's deadline. The remote probes its own <c>probe_targets</c>
/// with that port and protocol and answers 200 with their series, or 400 when it has none. Anything else (no
/// connection, a timeout, another status, a redirect, a body over <see cref="ProbeLimits.MaxAnswerBytes"/>, a body
/// that is not a <c>/probe</c> answer) means the vantage is down: the answer carries no result, so a dead vantage is
/// never read as a blocked port. The <see cref="HttpClient"/> should not follow redirects. Thread-safe.
/// </summary>
public sealed class RemoteVantageClient(HttpClient http, TimeProvider time)
{
    /// <summary>The header Prometheus sends and <c>/probe</c> honours.</summary>
    public const string ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds";

    /// <summary>The first read buffer when the answer's length is not announced: a usual answer fits.</summary>
    private const int FirstReadBytes = 16 * 1024;

    /// <summary>The request URL for one port: <c>{url}/probe?port=PORT&amp;protocol=PROTOCOL</c>.</summary>
    public static Uri ProbeUrl(Vantage vantage, PortKey port)
    {
        var baseText = vantage.Url.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(string.Create(
            CultureInfo.InvariantCulture, $"{baseText}/probe?port={port.Port}&protocol={port.Protocol.ToLabel()}"));
    }

    public async Task<RemoteProbeAnswer> AskAsync(Vantage vantage, PortKey port, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var remaining = deadline - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return RemoteProbeAnswer.Down("no time left before the deadline");
        }

        using var window = Probing.Window(deadline, time, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, ProbeUrl(vantage, port));
        request.Headers.Add(ScrapeTimeoutHeader, remaining.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, window.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                return new RemoteProbeAnswer(true, [], $"no probe target for {port}");
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                return RemoteProbeAnswer.Down($"HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentType?.MediaType is not "text/plain")
            {
                return RemoteProbeAnswer.Down("not a text/plain answer");
            }

            var body = await ReadBoundedAsync(response.Content, window.Token).ConfigureAwait(false);
            if (body is null)
            {
                return RemoteProbeAnswer.Down($"answer larger than {ProbeLimits.MaxAnswerBytes} bytes");
            }

            var results = ProbeAnswerParser.Parse(body);
            if (results.Any(r => r.Port != port.Port || r.Protocol != port.Protocol))
            {
                return RemoteProbeAnswer.Down($"answered for another port than {port}");
            }

            return new RemoteProbeAnswer(true, results);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RemoteProbeAnswer.Down("no answer before the deadline");
        }
        catch (HttpRequestException e)
        {
            return RemoteProbeAnswer.Down($"request failed: {e.HttpRequestError}");
        }
        catch (FormatException e)
        {
            return RemoteProbeAnswer.Down(e.Message);
        }
        catch (IOException e)
        {
            return RemoteProbeAnswer.Down($"answer broken off: {e.Message}");
        }
    }

    /// <summary>
    /// The body as UTF-8 text, or null when it is larger than <see cref="ProbeLimits.MaxAnswerBytes"/> (the rest is never
    /// read). The buffer comes from the shared pool, sized to the announced length or <see cref="FirstReadBytes"/>,
    /// and doubles only while the answer keeps coming: a usual answer of a few KiB never costs the cap.
    /// </summary>
    private static async Task<string?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var announced = content.Headers.ContentLength;
        if (announced > ProbeLimits.MaxAnswerBytes)
        {
            return null;
        }

        const int limit = ProbeLimits.MaxAnswerBytes + 1;
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(announced is { } length ? (int)length + 1 : FirstReadBytes);
            var filled = 0;
            try
            {
                while (filled < limit)
                {
                    if (filled == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(limit, buffer.Length * 2));
                        buffer.AsSpan(0, filled).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(filled, Math.Min(buffer.Length, limit) - filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    filled += read;
                }

                if (filled > ProbeLimits.MaxAnswerBytes)
                {
                    return null;
                }

                try
                {
                    return new UTF8Encoding(false, true).GetString(buffer, 0, filled);
                }
                catch (DecoderFallbackException)
                {
                    throw new FormatException("probe answer: not UTF-8 text");
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
