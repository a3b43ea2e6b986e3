using System.Globalization;
using System.Text;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Probes;

/// <summary>
/// A validated <c>/probe</c> request. Accepted: <c>target=NAME</c> (one configured probe target) or
/// <c>port=PORT[&amp;protocol=tcp|udp]</c> (every configured target with that port; tcp when not given), and
/// <c>debug=true|false</c>. Everything else (an unknown parameter or target, both or neither selector, a port with
/// no target, more than <see cref="ProbeLimits.MaxTargetsPerRequest"/> targets, a query longer than
/// <see cref="ProbeLimits.MaxQueryLength"/>) is refused: this is no open proxy and no port scanner. Pure.
/// </summary>
/// <param name="Targets">The configured targets to probe, in config order.</param>
/// <param name="Debug">Whether the step log is wanted.</param>
public sealed record ProbeQuery(IReadOnlyList<ProbeTarget> Targets, bool Debug)
{
    private static readonly string[] Known = ["target", "port", "protocol", "debug"];

    /// <summary>Validates <paramref name="query"/> against <paramref name="configured"/>; on refusal, <paramref name="problem"/> says why (bounded).</summary>
    public static bool TryParse(
        IReadOnlyDictionary<string, string?> query, IReadOnlyList<ProbeTarget> configured, out ProbeQuery? parsed, out string? problem)
    {
        parsed = null;
        problem = Check(query);
        if (problem is not null)
        {
            return false;
        }

        var debug = false;
        if (query.TryGetValue("debug", out var debugText))
        {
            if (debugText is not ("true" or "false"))
            {
                problem = "debug must be true or false";
                return false;
            }

            debug = debugText == "true";
        }

        var hasTarget = query.TryGetValue("target", out var name);
        var hasPort = query.TryGetValue("port", out var portText);
        var hasProtocol = query.TryGetValue("protocol", out var protocolText);
        if (hasTarget == hasPort)
        {
            problem = "give exactly one of target=NAME or port=PORT";
            return false;
        }

        List<ProbeTarget> targets;
        if (hasTarget)
        {
            if (hasProtocol)
            {
                problem = "protocol goes with port, not with target";
                return false;
            }

            targets = [.. configured.Where(t => string.Equals(t.Name, name, StringComparison.Ordinal))];
            if (targets.Count == 0)
            {
                problem = $"unknown probe target '{Echo(name)}': only probe_targets from this instance's config are probed";
                return false;
            }
        }
        else
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                problem = $"port must be 1-65535, got '{Echo(portText)}'";
                return false;
            }

            var protocol = TransportProtocol.Tcp;
            if (hasProtocol && !TransportProtocolNames.TryParse(protocolText, out protocol))
            {
                problem = $"protocol must be tcp or udp, got '{Echo(protocolText)}'";
                return false;
            }

            targets = [.. configured.Where(t => t.Port == port && t.Protocol == protocol)];
            if (targets.Count == 0)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"no probe target for {port}/{protocol.ToLabel()} in this instance's config");
                return false;
            }
        }

        if (targets.Count > ProbeLimits.MaxTargetsPerRequest)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"{targets.Count} targets match; one request probes at most {ProbeLimits.MaxTargetsPerRequest}");
            return false;
        }

        parsed = new ProbeQuery(targets, debug);
        return true;
    }

    /// <summary>At most <see cref="ProbeLimits.MaxEchoLength"/> characters of a request value, anything but [A-Za-z0-9_.:-] shown as '?'.</summary>
    public static string Echo(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var shown = new StringBuilder(Math.Min(text.Length, ProbeLimits.MaxEchoLength) + 3);
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, ProbeLimits.MaxEchoLength)))
        {
            shown.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-' ? c : '?');
        }

        return text.Length > ProbeLimits.MaxEchoLength ? shown.Append("...").ToString() : shown.ToString();
    }

    private static string? Check(IReadOnlyDictionary<string, string?> query)
    {
        if (query.Count > ProbeLimits.MaxQueryParameters)
        {
            return "too many query parameters";
        }

        if (query.Sum(q => q.Key.Length + (q.Value?.Length ?? 0)) > ProbeLimits.MaxQueryLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"query longer than {ProbeLimits.MaxQueryLength} characters");
        }

        foreach (var key in query.Keys)
        {
            if (Array.IndexOf(Known, key) < 0)
            {
                return $"unknown parameter '{Echo(key)}'; expected target, port, protocol or debug";
            }
        }

        return null;
    }
}
