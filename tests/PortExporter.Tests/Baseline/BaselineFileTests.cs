using PortExporter.Core.Baseline;
using PortExporter.Core.Configuration;

namespace PortExporter.Tests.Baseline;

/// <summary>The file: written deterministically, read back to the same baseline, and every bad file refused with file:line.</summary>
public sealed class BaselineFileTests
{
    private const string File = "/etc/port-exporter/baseline.yml";

    [Fact]
    public void Reads_back_what_it_wrote()
    {
        var baseline = BaselineSamples.Of(BaselineSamples.Dns, BaselineSamples.Web);

        Assert.Equal(baseline, BaselineParser.Parse(BaselineWriter.Write(baseline), File, "web-1"));
    }

    [Theory]
    [InlineData("-A INPUT -p tcp -m tcp --dport 8080 -j DROP")]
    [InlineData("ip saddr { 10.0.0.0/8, 192.168.0.0/16 } tcp dport 8080 accept comment \"ops: #42\"")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("true")]
    [InlineData("8080")]
    [InlineData("  leading and trailing  ")]
    [InlineData("key: value")]
    [InlineData("'quoted' \\ back\\slash")]
    [InlineData("règle été")]
    [InlineData("")]
    public void Rule_text_survives_the_round_trip(string rule)
    {
        var port = BaselineSamples.Web with { Verdicts = [new VerdictSurface("outside", "drop", "iptables-legacy filter INPUT", rule)] };
        var baseline = BaselineSamples.Of(port);

        Assert.Equal(rule, BaselineParser.Parse(BaselineWriter.Write(baseline), File, null).Ports.Single().Verdicts.Single().Rule);
    }

    [Fact]
    public void Is_plain_yaml_in_a_fixed_order_ending_with_the_digest()
    {
        var text = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Web));
        var lines = text.Split('\n');

        Assert.StartsWith("# ", lines[0], StringComparison.Ordinal);
        Assert.Equal("format_version: 2", lines[1]);
        Assert.Equal("host: web-1", lines[2]);
        Assert.Contains("  - address: 0.0.0.0\n    scope: wildcard\n    process: nginx\n", text, StringComparison.Ordinal);
        Assert.Matches("^digest: sha256:[0-9a-f]{64}$", lines[^2]);
        Assert.Equal(string.Empty, lines[^1]);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_version_names_the_line_and_the_version_read()
    {
        var text = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Web)).Replace("format_version: 2", "format_version: 7", StringComparison.Ordinal);

        var e = Assert.Throws<ConfigException>(() => BaselineParser.Parse(text, File, "web-1"));

        Assert.Equal(2, e.Line);
        Assert.StartsWith($"{File}:2:", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 2 (the format this build reads), got '7'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_hosts_file_names_both_hosts()
    {
        var text = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Web));

        var e = Assert.Throws<ConfigException>(() => BaselineParser.Parse(text, File, "db-2"));

        Assert.Equal(3, e.Line);
        Assert.Contains("host: expected 'db-2' (this host), the file is for 'web-1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_value_fails_the_digest_on_its_line()
    {
        var text = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Web)).Replace("process: nginx", "process: ngimx", StringComparison.Ordinal);
        var digestLine = text.Split('\n').ToList().FindIndex(l => l.StartsWith("digest:", StringComparison.Ordinal)) + 1;

        var e = Assert.Throws<ConfigException>(() => BaselineParser.Parse(text, File, "web-1"));

        Assert.Equal(digestLine, e.Line);
        Assert.Contains("digest: expected sha256:", e.Message, StringComparison.Ordinal);
        Assert.Contains("altered or corrupted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        var text = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Dns, BaselineSamples.Web));

        // Cut after every line and in the middle of it: never read as a (smaller) valid baseline.
        for (var cut = 1; cut < text.Length - 1; cut++)
        {
            var e = Assert.Throws<ConfigException>(() => BaselineParser.Parse(text[..cut], File, "web-1"));
            Assert.StartsWith($"{File}:", e.Message, StringComparison.Ordinal);
            Assert.True(e.Line >= 1 || e.Problem.Contains("empty", StringComparison.Ordinal), e.Message);
        }
    }

    [Fact]
    public void A_truncated_file_says_which_key_is_missing_and_where_it_ends()
    {
        var text = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Web));
        var withoutDigest = text[..text.IndexOf("digest:", StringComparison.Ordinal)];

        var e = Assert.Throws<ConfigException>(() => BaselineParser.Parse(withoutDigest, File, "web-1"));

        Assert.Equal("(top level).digest", e.Key);
        Assert.Contains("required key is missing (is the file truncated?)", e.Message, StringComparison.Ordinal);
        Assert.Equal(withoutDigest.TrimEnd('\n').Split('\n').Length, e.Line); // the last line read
    }

    [Theory]
    [InlineData("", 1, "empty file")]
    [InlineData("format_version: 2\nhost: [unclosed\n", 3, "not valid YAML")]
    [InlineData("- just\n- a list\n", 1, "expected a mapping")]
    [InlineData("format_version: one\n", 1, "expected 2 (the format this build reads), got 'one'")]
    [InlineData("host: web-1\n", 1, "(top level).format_version: required key is missing")]
    [InlineData("format_version: 2\nhost: web-1\nextra: 1\n", 3, "unknown key")]
    public void A_file_that_is_not_a_baseline_is_refused_with_its_line(string text, int line, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => BaselineParser.Parse(text, File, "web-1"));

        Assert.Equal(line, e.Line);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_a_character_is_refused_on_its_line_not_when_taking_the_digest()
    {
        // Built here, not in [InlineData]: test case serialisation would replace the lone surrogate.
        var written = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Web));
        var text = written.Replace("process: nginx", "process: ngi" + '\uD800' + "nx", StringComparison.Ordinal);
        var line = written[..written.IndexOf("process: nginx", StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        var e = Assert.Throws<ConfigException>(() => BaselineParser.Parse(text, File, "web-1"));

        Assert.Equal(line, e.Line);
        Assert.Contains("expected text, got an unpaired UTF-16 surrogate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("port: 8080/tcp", "port: 99999/tcp", "expected PORT/tcp or PORT/udp (1-65535)")]
    [InlineData("expose: public", "expose: everywhere", "expected one of: public, internal, local")]
    [InlineData("source: inside", "source: mars", "expected one of: inside, outside")]
    [InlineData("sha256: aaaa", "sha256: zzzz", "expected 64 lower-case hex digits")]
    public void A_value_outside_the_vocabulary_is_refused_on_its_line(string good, string bad, string expected)
    {
        var written = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Web));
        var start = written.IndexOf(good, StringComparison.Ordinal);
        var end = written.IndexOf('\n', start);
        var text = written[..start] + bad + written[end..];
        var line = written[..start].Count(c => c == '\n') + 1;

        var e = Assert.Throws<ConfigException>(() => BaselineParser.Parse(text, File, "web-1"));

        Assert.Equal(line, e.Line);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
