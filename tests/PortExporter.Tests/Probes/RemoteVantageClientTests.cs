using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

/// <summary>The remote-vantage client against canned HTTP answers: what counts as an answer and what means "down".</summary>
public sealed class RemoteVantageClientTests
{
    private const string ValidAnswer =
        "port_probe_success{service=\"web\",port=\"80\",protocol=\"tcp\",vantage=\"external\",address=\"203.0.113.10:80\"} 0\n" +
        "port_probe_failure_reason{service=\"web\",port=\"80\",protocol=\"tcp\",vantage=\"external\",address=\"203.0.113.10:80\",reason=\"refused\"} 1\n";

    private static readonly Vantage Outside = new("outside", new Uri("http://probe.example.net:10070/pe/"));
    private static readonly PortKey Web = new(80, TransportProtocol.Tcp);

    [Fact]
    public async Task Asks_probe_with_port_protocol_and_the_time_left()
    {
        HttpRequestMessage? seen = null;
        var client = Client(request =>
        {
            seen = request;
            return Text(HttpStatusCode.OK, ValidAnswer);
        });

        var answer = await client.AskAsync(Outside, Web, DateTimeOffset.UtcNow.AddSeconds(5), CancellationToken.None);

        Assert.Equal("http://probe.example.net:10070/pe/probe?port=80&protocol=tcp", seen!.RequestUri!.ToString());
        var timeout = double.Parse(seen.Headers.GetValues(RemoteVantageClient.ScrapeTimeoutHeader).Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timeout, 4.0, 5.0);
        Assert.True(answer.Answered);
        Assert.Equal(("203.0.113.10:80", ProbeFailureReason.Refused), (Assert.Single(answer.Results).Address, answer.Results[0].Reason));
    }

    [Fact]
    public async Task A_400_is_an_answer_without_results()
    {
        var answer = await Client(_ => Text(HttpStatusCode.BadRequest, "no probe target for 80/tcp\n")).AskAsync(Outside, Web, DateTimeOffset.UtcNow.AddSeconds(5), CancellationToken.None);

        Assert.Equal((true, 0), (answer.Answered, answer.Results.Count));
    }

    public static TheoryData<string, Func<HttpResponseMessage>, string> DownCases => new()
    {
        { "server error", () => Text(HttpStatusCode.InternalServerError, "boom"), "HTTP 500" },
        { "redirect", () => new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri("http://elsewhere/") } }, "HTTP 302" },
        { "html page", () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html></html>", Encoding.UTF8, "text/html") }, "not a text/plain answer" },
        { "garbage text", () => Text(HttpStatusCode.OK, "It works!\n"), "line 1: It: expected a value" },
        { "another port", () => Text(HttpStatusCode.OK, ValidAnswer.Replace("port=\"80\"", "port=\"81\"", StringComparison.Ordinal)), "another port than 80/tcp" },
        { "enormous, length announced", () => Text(HttpStatusCode.OK, new string('#', ProbeLimits.MaxAnswerBytes + 1)), "larger than 1048576 bytes" },
        { "enormous, streamed", () => new HttpResponseMessage(HttpStatusCode.OK) { Content = Streamed(ProbeLimits.MaxAnswerBytes * 3) }, "larger than 1048576 bytes" },
        { "not UTF-8", () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([0xff, 0xfe, 0x41]) { Headers = { ContentType = new("text/plain") } } }, "not UTF-8" },
    };

    [Theory]
    [MemberData(nameof(DownCases))]
    public async Task Anything_but_a_probe_answer_means_the_vantage_is_down(string why, Func<HttpResponseMessage> response, string problem)
    {
        var answer = await Client(_ => response()).AskAsync(Outside, Web, DateTimeOffset.UtcNow.AddSeconds(5), CancellationToken.None);

        Assert.False(answer.Answered, why);
        Assert.Empty(answer.Results);
        Assert.Contains(problem, answer.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_small_answer_is_read_without_a_buffer_the_size_of_the_cap()
    {
        var client = Client(_ => Text(HttpStatusCode.OK, ValidAnswer));
        Assert.True((await client.AskAsync(Outside, Web, DateTimeOffset.UtcNow.AddSeconds(5), CancellationToken.None)).Answered);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var asked = client.AskAsync(Outside, Web, DateTimeOffset.UtcNow.AddSeconds(5), CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(asked.IsCompletedSuccessfully, "the stubbed exchange completes on this thread, so this thread's allocations are all of it");
        Assert.True((await asked).Answered);
        Assert.InRange(allocated, 1, ProbeLimits.MaxAnswerBytes / 8);
    }

    [Fact]
    public async Task A_never_ending_answer_is_read_no_further_than_the_cap()
    {
        var endless = new EndlessStream(int.MaxValue);
        var content = new StreamContent(endless);
        content.Headers.ContentType = new("text/plain");

        var answer = await Client(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = content }).AskAsync(Outside, Web, DateTimeOffset.UtcNow.AddSeconds(30), CancellationToken.None);

        Assert.Equal((false, $"answer larger than {ProbeLimits.MaxAnswerBytes} bytes"), (answer.Answered, answer.Problem));
        Assert.InRange(endless.Served, ProbeLimits.MaxAnswerBytes + 1, ProbeLimits.MaxAnswerBytes + 1);
    }

    [Fact]
    public async Task A_vantage_that_does_not_answer_in_time_is_down_at_the_deadline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var client = new RemoteVantageClient(new HttpClient(new Stub(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Text(HttpStatusCode.OK, ValidAnswer);
        })), time);

        var asking = client.AskAsync(Outside, Web, time.GetUtcNow().AddSeconds(0.3), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(0.29));
        Assert.False(asking.IsCompleted, "the client gave up before the deadline");
        time.Advance(TimeSpan.FromSeconds(0.01));
        var answer = await asking.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((false, "no answer before the deadline"), (answer.Answered, answer.Problem));
    }

    [Fact]
    public async Task A_connection_failure_is_down()
    {
        var client = new RemoteVantageClient(new HttpClient(new Stub((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"))), TimeProvider.System);

        var answer = await client.AskAsync(Outside, Web, DateTimeOffset.UtcNow.AddSeconds(1), CancellationToken.None);

        Assert.Equal((false, "request failed: ConnectionError"), (answer.Answered, answer.Problem));
    }

    private static RemoteVantageClient Client(Func<HttpRequestMessage, HttpResponseMessage> respond) =>
        new(new HttpClient(new Stub((request, _) => Task.FromResult(respond(request)))), TimeProvider.System);

    private static HttpResponseMessage Text(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };

    private static StreamContent Streamed(int bytes)
    {
        var content = new StreamContent(new EndlessStream(bytes));
        content.Headers.ContentType = new("text/plain");
        return content;
    }

    private sealed class Stub(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            respond(request, cancellationToken);
    }

    /// <summary>A body of '#' without a Content-Length.</summary>
    private sealed class EndlessStream(int length) : Stream
    {
        private int _left = length;

        /// <summary>Bytes handed out so far.</summary>
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, _left);
            buffer.AsSpan(offset, n).Fill((byte)'#');
            _left -= n;
            Served += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
