using Microsoft.Extensions.Logging;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Probes;

/// <summary>
/// One probe round: every watched port from every vantage point, loopback, internal and external
/// (see <see cref="ProbePlanner"/>), and each configured remote vantage through its <c>/probe</c> (asked once per
/// vantage for the watched port and for each distinct <c>external</c> port, see <see cref="RemoteVantageClient"/>).
/// All probes of one round run at most <c>probes.concurrency</c> at once (remote requests first, as they take
/// longest) and within the host's one <see cref="ProbeGate"/>, each for <c>probes.timeout</c> but never past the
/// round's deadline. A remote vantage with any request unanswered is down and contributes no result. Reads only.
/// Thread-safe.
/// </summary>
public sealed class ProbeRunner(
    TcpProber tcp, UdpProber udp, RemoteVantageClient remote, ProbeNetwork network, TimeProvider time, ILogger<ProbeRunner> logger, ProbeGate? gate = null)
    : IProbeRunner
{
    private readonly ProbeGate _gate = gate ?? ProbeGate.Unbounded();

    private readonly HashSet<string> _downVantages = new(StringComparer.Ordinal);
    private readonly Lock _downGate = new();

    public async Task<ProbeEvidence> RunAsync(ProbePlanInput input, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (config, sockets, ports) = input;
        var hostAddresses = ports.Count > 0 ? network.HostAddresses() : [];
        using var slots = new ProbeSlots(config.Probes.Concurrency, _gate, deadline, time, cancellationToken);

        var remoteAsks = config.Vantages
            .SelectMany(v => RemoteKeys(ports).Select(key => (Vantage: v, Key: key)))
            .Select(ask => (ask.Vantage, ask.Key, Answer: slots.RunAsync(ct => remote.AskAsync(ask.Vantage, ask.Key, deadline, ct))))
            .ToList();

        var localProbes = new List<(PortKey Key, Task<ProbeResult?> Result)>();
        foreach (var port in ports)
        {
            var listeners = sockets?.For(port.Key).ToList() ?? [];
            var prober = ProberFor(port.Protocol);
            foreach (var planned in ProbePlanner.Plan(port, listeners, hostAddresses))
            {
                localProbes.Add((port.Key, slots.RunAsync(ct => prober.ProbeAsync(
                    planned.Vantage, planned.Host, planned.Port, Earliest(time.GetUtcNow() + config.Probes.Timeout, deadline), ct))));
            }
        }

        var targetProbes = (input.WithTargets ? config.ProbeTargets : []).Select(target => (target.Name, Result: slots.RunAsync(ct => ProberFor(target.Protocol).ProbeAsync(
            ProbeVantageNames.External, target.Address, target.Port, Earliest(time.GetUtcNow() + config.Probes.Timeout, deadline), ct)))).ToList();

        await Task.WhenAll(remoteAsks.Select(a => (Task)a.Answer).Concat(localProbes.Select(p => p.Result)).Concat(targetProbes.Select(t => t.Result))).ConfigureAwait(false);

        var results = ports.ToDictionary(p => p.Key, _ => new List<ProbeResult>());
        foreach (var (key, result) in localProbes)
        {
            if (result.Result is { } r)
            {
                results[key].Add(r);
            }
        }

        var vantageUp = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var group in remoteAsks.GroupBy(a => a.Vantage))
        {
            var answers = group.Select(a => (a.Key, Answer: a.Answer.Result)).ToList();
            var failed = answers.FirstOrDefault(a => a.Answer is { Answered: false }).Answer;
            if (failed is not null)
            {
                vantageUp[group.Key.Name] = false;
                ReportVantage(group.Key.Name, failed.Problem);
                continue;
            }

            if (answers.All(a => a.Answer is null))
            {
                continue;
            }

            vantageUp[group.Key.Name] = true;
            ReportVantage(group.Key.Name, null);
            foreach (var (askedKey, answer) in answers)
            {
                foreach (var port in ports.Where(p => RemoteKeys([p]).Contains(askedKey)))
                {
                    results[port.Key].AddRange((answer?.Results ?? []).Select(r =>
                        new ProbeResult(group.Key.Name, r.Address, r.Success, r.Reason, r.Duration)));
                }
            }
        }

        if (slots.Skipped > 0)
        {
            ProbeLog.ProbesSkipped(logger, slots.Skipped);
        }

        return new ProbeEvidence(
            results.ToDictionary(r => r.Key, r => (IReadOnlyList<ProbeResult>)r.Value),
            vantageUp,
            slots.Skipped)
        {
            Targets = targetProbes.Where(t => t.Result.Result is not null).ToDictionary(t => t.Name, t => t.Result.Result!, StringComparer.Ordinal),
        };
    }

    /// <summary>The (port, protocol) pairs a remote vantage is asked about: each watched port and each external port.</summary>
    private static HashSet<PortKey> RemoteKeys(IEnumerable<PortSpec> ports) =>
        [.. ports.SelectMany(p => p.ExternalEndpoints.Select(e => new PortKey(e.Port, p.Protocol)).Prepend(p.Key))];

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private IProber ProberFor(TransportProtocol protocol) => protocol == TransportProtocol.Udp ? udp : tcp;

    private void ReportVantage(string vantage, string? problem)
    {
        lock (_downGate)
        {
            if (problem is null)
            {
                if (_downVantages.Remove(vantage))
                {
                    ProbeLog.VantageRecovered(logger, vantage);
                }
            }
            else if (_downVantages.Add(vantage))
            {
                ProbeLog.VantageDown(logger, vantage, problem);
            }
            else
            {
                ProbeLog.VantageStillDown(logger, vantage, problem);
            }
        }
    }
}
