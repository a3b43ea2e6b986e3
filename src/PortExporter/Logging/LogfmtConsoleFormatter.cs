using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace PortExporter.Logging;

/// <summary>
/// One logfmt line per event, the format Prometheus' own exporters write:
/// <c>ts=2026-11-25T19:44:33.123Z level=error source=EvidenceCollection msg="collector firewall failed: ..."</c>.
/// </summary>
public sealed class LogfmtConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "logfmt";

    private static readonly System.Buffers.SearchValues<char> NeedsQuoting = System.Buffers.SearchValues.Create(" =\"\\");

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception) ?? string.Empty;
        var line = new StringBuilder(128);
        line.Append("ts=").Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        line.Append(" level=").Append(Level(logEntry.LogLevel));
        var category = logEntry.Category;
        var dot = category.LastIndexOf('.');
        line.Append(" source=").Append(dot >= 0 ? category[(dot + 1)..] : category);
        line.Append(" msg=");
        AppendValue(line, message);
        if (logEntry.Exception is { } e)
        {
            line.Append(" err=");
            AppendValue(line, e.Message);
        }

        textWriter.WriteLine(line.ToString());
    }

    /// <summary>
    /// Quotes a value when it needs it, escaping quotes, backslashes and every control character, so that no value
    /// (a client's user name, a rule comment) can end the line, forge another, or reach a terminal as an escape
    /// sequence: <c>\n</c>, <c>\r</c> and <c>\t</c> by name, the other C0 and C1 controls, DEL and the Unicode line
    /// and paragraph separators as <c>\uXXXX</c>.
    /// </summary>
    internal static void AppendValue(StringBuilder line, string value)
    {
        var needsQuotes = value.Length == 0 || value.AsSpan().IndexOfAny(NeedsQuoting) >= 0 || value.Any(IsEscaped);
        if (!needsQuotes)
        {
            line.Append(value);
            return;
        }

        line.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    line.Append("\\\"");
                    break;
                case '\\':
                    line.Append("\\\\");
                    break;
                case '\n':
                    line.Append("\\n");
                    break;
                case '\r':
                    line.Append("\\r");
                    break;
                case '\t':
                    line.Append("\\t");
                    break;
                case var _ when IsEscaped(c):
                    line.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    line.Append(c);
                    break;
            }
        }

        line.Append('"');
    }

    /// <summary>Never written as it is: the C0 controls, DEL, the C1 controls, U+2028 and U+2029.</summary>
    private static bool IsEscaped(char c) => c is < ' ' or (>= '\u007f' and <= '\u009f') or '\u2028' or '\u2029';

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        _ => "error",
    };
}
