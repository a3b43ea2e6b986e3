using System.Globalization;
using System.Text;

namespace PortExporter.Core.Probes;

/// <summary>
/// Reads a remote PortExporter's <c>/probe</c> answer (Prometheus text exposition 0.0.4). Every sample line must be
/// well formed (so an HTML page or a truncated answer is rejected, never half-read); only
/// <c>port_probe_success</c>, <c>port_probe_duration_seconds</c> and <c>port_probe_failure_reason</c> are kept.
/// Every problem is a <see cref="FormatException"/> naming the line, the field and (at most
/// <see cref="ProbeLimits.MaxEchoLength"/> characters of) the raw text. Pure.
/// </summary>
public static class ProbeAnswerParser
{
    private const string Success = "port_probe_success";
    private const string Duration = "port_probe_duration_seconds";
    private const string FailureReason = "port_probe_failure_reason";

    public static IReadOnlyList<RemoteProbeResult> Parse(string text)
    {
        var groups = new Dictionary<(string Service, int Port, TransportProtocol Protocol, string Address), Group>();
        var order = new List<(string, int, TransportProtocol, string)>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var sample = ParseSample(line, lineNumber);
            if (sample.Name is not (Success or Duration or FailureReason))
            {
                continue;
            }

            var key = (
                Label(sample, "service", lineNumber),
                PortOf(sample, lineNumber),
                ProtocolOf(sample, lineNumber),
                Label(sample, "address", lineNumber));
            if (!groups.TryGetValue(key, out var group))
            {
                group = new Group();
                groups[key] = group;
                order.Add(key);
            }

            switch (sample.Name)
            {
                case Success:
                    group.Success = sample.Value switch
                    {
                        1 => true,
                        0 => false,
                        _ => throw Error(lineNumber, Success, "expected 0 or 1", line),
                    };
                    break;
                case Duration:
                    group.Duration = double.IsFinite(sample.Value) && sample.Value is >= 0 and < 86_400
                        ? TimeSpan.FromSeconds(sample.Value)
                        : throw Error(lineNumber, Duration, "expected a duration in seconds", line);
                    break;
                default:
                    var reasonText = Label(sample, "reason", lineNumber);
                    if (!ProbeFailureReasonNames.TryParseFailure(reasonText, out var reason))
                    {
                        throw Error(lineNumber, "reason", "expected refused, timeout, unreachable, reset, dns or error", reasonText);
                    }

                    if (sample.Value == 1)
                    {
                        group.Reason = reason;
                    }

                    break;
            }
        }

        var results = new List<RemoteProbeResult>(order.Count);
        foreach (var key in order)
        {
            var group = groups[key];
            if (group.Success is not { } success)
            {
                throw Error(0, Success, "missing for a target that has other series", $"{key.Item1} {key.Item4}");
            }

            var reason = success ? ProbeFailureReason.None : group.Reason ?? ProbeFailureReason.Error;
            results.Add(new RemoteProbeResult(key.Item1, key.Item2, key.Item3, key.Item4, success, reason, group.Duration));
        }

        return results;
    }

    private static Sample ParseSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetter(line[i]) || line[i] is '_' or ':' || (i > 0 && char.IsAsciiDigit(line[i]))))
        {
            i++;
        }

        if (i == 0)
        {
            throw Error(lineNumber, "metric name", "expected a metric name", line);
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i = ParseLabels(line, i + 1, labels, lineNumber);
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw Error(lineNumber, name, "expected a space before the value", line);
        }

        var fields = line[(i + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is 0 or > 2 || !TryParseValue(fields[0], out var value))
        {
            throw Error(lineNumber, name, "expected a value and an optional timestamp", line);
        }

        if (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw Error(lineNumber, name, "expected an integer timestamp", fields[1]);
        }

        return new Sample(name, labels, value);
    }

    private static int ParseLabels(string line, int i, Dictionary<string, string> labels, int lineNumber)
    {
        while (true)
        {
            if (i < line.Length && line[i] == '}')
            {
                return i + 1;
            }

            var start = i;
            while (i < line.Length && (char.IsAsciiLetter(line[i]) || line[i] == '_' || (i > start && char.IsAsciiDigit(line[i]))))
            {
                i++;
            }

            if (i == start || i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"')
            {
                throw Error(lineNumber, "labels", "expected name=\"value\"", line);
            }

            var labelName = line[start..i];
            i += 2;
            var value = new StringBuilder();
            while (true)
            {
                if (i >= line.Length)
                {
                    throw Error(lineNumber, labelName, "unterminated label value", line);
                }

                var c = line[i++];
                if (c == '"')
                {
                    break;
                }

                if (c == '\\')
                {
                    if (i >= line.Length)
                    {
                        throw Error(lineNumber, labelName, "unterminated escape", line);
                    }

                    c = line[i++] switch
                    {
                        'n' => '\n',
                        '\\' => '\\',
                        '"' => '"',
                        _ => throw Error(lineNumber, labelName, "unknown escape", line),
                    };
                }

                if (value.Length >= ProbeLimits.MaxRemoteLabelLength)
                {
                    throw Error(lineNumber, labelName, $"label value longer than {ProbeLimits.MaxRemoteLabelLength} characters", line);
                }

                value.Append(c);
            }

            if (!labels.TryAdd(labelName, value.ToString()))
            {
                throw Error(lineNumber, labelName, "label given twice", line);
            }

            if (i < line.Length && line[i] == ',')
            {
                i++;
            }
            else if (i >= line.Length || line[i] != '}')
            {
                throw Error(lineNumber, "labels", "expected ',' or '}'", line);
            }
        }
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static string Label(Sample sample, string name, int lineNumber) =>
        sample.Labels.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw Error(lineNumber, name, $"{sample.Name} lacks the label", name);

    private static int PortOf(Sample sample, int lineNumber)
    {
        var text = Label(sample, "port", lineNumber);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw Error(lineNumber, "port", "expected 1-65535", text);
    }

    private static TransportProtocol ProtocolOf(Sample sample, int lineNumber)
    {
        var text = Label(sample, "protocol", lineNumber);
        return TransportProtocolNames.TryParse(text, out var protocol) ? protocol : throw Error(lineNumber, "protocol", "expected tcp or udp", text);
    }

    private static FormatException Error(int line, string field, string problem, string raw)
    {
        var shown = raw.Length > ProbeLimits.MaxEchoLength ? raw[..ProbeLimits.MaxEchoLength] + "..." : raw;
        var where = line > 0 ? $"line {line.ToString(CultureInfo.InvariantCulture)}: " : string.Empty;
        return new FormatException($"probe answer: {where}{field}: {problem}: '{shown}'");
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private sealed class Group
    {
        public bool? Success { get; set; }

        public ProbeFailureReason? Reason { get; set; }

        public TimeSpan Duration { get; set; }
    }
}
