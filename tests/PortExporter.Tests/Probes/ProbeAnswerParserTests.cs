using PortExporter.Core;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

public sealed class ProbeAnswerParserTests
{
    private const string Answer = """
        # HELP port_probe_success 1 when the probe connected.
        # TYPE port_probe_success gauge
        port_probe_success{service="web",port="80",protocol="tcp",vantage="external",address="203.0.113.10:80"} 1
        port_probe_success{service="web-b",port="80",protocol="tcp",vantage="external",address="198.51.100.9:80"} 0
        # TYPE port_probe_duration_seconds gauge
        port_probe_duration_seconds{service="web",port="80",protocol="tcp",vantage="external",address="203.0.113.10:80"} 0.0123
        port_probe_duration_seconds{service="web-b",port="80",protocol="tcp",vantage="external",address="198.51.100.9:80"} 2
        port_probe_failure_reason{service="web-b",port="80",protocol="tcp",vantage="external",address="198.51.100.9:80",reason="timeout"} 1
        # TYPE port_probes_skipped gauge
        port_probes_skipped 0
        """;

    [Fact]
    public void Reads_the_three_series_per_target()
    {
        var results = ProbeAnswerParser.Parse(Answer);

        Assert.Equal(
            [
                new RemoteProbeResult("web", 80, TransportProtocol.Tcp, "203.0.113.10:80", true, ProbeFailureReason.None, TimeSpan.FromSeconds(0.0123)),
                new RemoteProbeResult("web-b", 80, TransportProtocol.Tcp, "198.51.100.9:80", false, ProbeFailureReason.Timeout, TimeSpan.FromSeconds(2)),
            ],
            results);
    }

    [Fact]
    public void Reads_escapes_crlf_timestamps_and_no_series()
    {
        var text = "port_probe_success{service=\"a\\\"b\",port=\"53\",protocol=\"udp\",address=\"x\\\\y:53\",} 0 1700000000000\r\n";

        var result = Assert.Single(ProbeAnswerParser.Parse(text));

        Assert.Equal(("a\"b", "x\\y:53", ProbeFailureReason.Error), (result.Service, result.Address, result.Reason));
        Assert.Empty(ProbeAnswerParser.Parse("# nothing probed\n"));
    }

    [Theory]
    [InlineData("<html><body>It works</body></html>", "line 1: metric name")]
    [InlineData("port_probe_success{service=\"web\",port=\"80\",protocol=\"tcp\",address=\"a:80\"} 2", "expected 0 or 1")]
    [InlineData("port_probe_success{service=\"web\",port=\"0\",protocol=\"tcp\",address=\"a:80\"} 1", "port: expected 1-65535")]
    [InlineData("port_probe_success{service=\"web\",port=\"80\",protocol=\"sctp\",address=\"a:80\"} 1", "protocol: expected tcp or udp")]
    [InlineData("port_probe_success{service=\"web\",port=\"80\",protocol=\"tcp\"} 1", "address: port_probe_success lacks the label")]
    [InlineData("port_probe_success{service=\"web\",port=\"80\",protocol=\"tcp\",address=\"a:80\"} one", "expected a value")]
    [InlineData("port_probe_success{service=\"web\",port=\"80\",protocol=\"tcp\",address=\"a:80", "unterminated label value")]
    [InlineData("port_probe_success{service=\"web\",service=\"x\",port=\"80\",protocol=\"tcp\",address=\"a:80\"} 1", "label given twice")]
    [InlineData("port_probe_duration_seconds{service=\"web\",port=\"80\",protocol=\"tcp\",address=\"a:80\"} 0.1", "missing for a target")]
    [InlineData("port_probe_duration_seconds{service=\"web\",port=\"80\",protocol=\"tcp\",address=\"a:80\"} -1", "expected a duration")]
    [InlineData("port_probe_failure_reason{service=\"web\",port=\"80\",protocol=\"tcp\",address=\"a:80\",reason=\"blocked\"} 1", "reason: expected refused")]
    [InlineData("port_probe_success{service=\"web\",port=\"80\",protocol=\"tcp\",address=\"a:80\"} 1 soon", "expected an integer timestamp")]
    public void Garbage_is_a_format_error_naming_line_and_field(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ProbeAnswerParser.Parse(text));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_enormous_label_is_refused_and_not_echoed_whole()
    {
        var text = $"port_probe_success{{service=\"{new string('x', 100_000)}\",port=\"80\",protocol=\"tcp\",address=\"a:80\"}} 1";

        var e = Assert.Throws<FormatException>(() => ProbeAnswerParser.Parse(text));

        Assert.Contains("longer than 256", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 300, e.Message);
    }
}
