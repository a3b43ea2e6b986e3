using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortExporter.Hosting;
using PortExporter.Logging;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

/// <summary>The console logger writes to the process-wide standard error: these tests swap it, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCaptureCollection
{
    public const string Name = "console capture";
}

/// <summary>
/// A client chooses the basic auth user name that a failed login logs. Whatever it sends, the exporter's log
/// (logfmt and JSON, through the console logger that <see cref="LoggingSetup.AddExporterLogging"/> sets up) stays
/// one line per event with no control character: no forged line, no terminal escape.
/// </summary>
[Collection(ConsoleCaptureCollection.Name)]
public sealed class LogInjectionTests
{
    /// <summary>ESC sequences (colour, clear screen, OSC title), a forged logfmt line, CR, BEL, DEL, C1 CSI, U+2028.</summary>
    private const string HostileUser = "\u001b[31mroot\u001b[2J\u001b]0;owned\u0007\nts=2026-01-01T00:00:00.000Z level=error msg=forged\rx\u007f\u009b1m\u2028end";

    private static string[] Capture(LogFormat format, Action<ILogger> log)
    {
        var previous = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            using (var services = new ServiceCollection().AddLogging(b => b.AddExporterLogging(LogLevel.Debug, format)).BuildServiceProvider())
            {
                log(services.GetRequiredService<ILoggerFactory>().CreateLogger("PortExporter.Web.Security.WebSecurityMiddleware"));
            }

            // Disposing the provider drained the console logger's queue.
            return captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            Console.SetError(previous);
        }
    }

    private static void AssertNoControlCharacters(string line) =>
        Assert.DoesNotContain(line, c => (char.IsControl(c) && c != '\n') || c is '\u2028' or '\u2029');

    [Fact]
    public void A_hostile_user_name_is_one_escaped_logfmt_line()
    {
        var lines = Capture(LogFormat.Logfmt, l => WebSecurityLog.BasicAuthFailed(l, HostileUser, "127.0.0.1", "/metrics"));

        var line = Assert.Single(lines);
        AssertNoControlCharacters(line);
        Assert.StartsWith("ts=", line, StringComparison.Ordinal);
        Assert.EndsWith(@" msg=""basic auth failed for user '\u001b[31mroot\u001b[2J\u001b]0;owned\u0007\nts=2026-01-01T00:00:00.000Z level=error msg=forged\rx\u007f\u009b1m\u2028end' from 127.0.0.1 on /metrics""", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_user_name_is_one_escaped_json_line_that_decodes_back()
    {
        var lines = Capture(LogFormat.Json, l => WebSecurityLog.BasicAuthFailed(l, HostileUser, "127.0.0.1", "/metrics"));

        var line = Assert.Single(lines);
        AssertNoControlCharacters(line);
        using var json = JsonDocument.Parse(line);
        Assert.Equal($"basic auth failed for user '{HostileUser}' from 127.0.0.1 on /metrics", json.RootElement.GetProperty("Message").GetString());
        Assert.Equal(HostileUser, json.RootElement.GetProperty("State").GetProperty("User").GetString());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("two words", "\"two words\"")]
    [InlineData("", "\"\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("quote\"back\\slash", "\"quote\\\"back\\\\slash\"")]
    [InlineData("bell\u0007", "\"bell\\u0007\"")]
    [InlineData("nul\0", "\"nul\\u0000\"")]
    [InlineData("ls\u2028ps\u2029", "\"ls\\u2028ps\\u2029\"")]
    [InlineData("héllo→", "héllo→")]
    public void Logfmt_values_are_quoted_and_escaped(string value, string expected)
    {
        var line = new System.Text.StringBuilder();
        LogfmtConsoleFormatter.AppendValue(line, value);
        Assert.Equal(expected, line.ToString());
    }
}
