using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// E: every local check passes and the local probes succeed, but the external address or a remote vantage
/// cannot connect. Probes from a vantage that did not answer are not evidence either way. For a port with
/// <c>from:</c>, this host's own probe of its external address is none either: it does not come from a range the
/// port must be reachable from (blocking it is the allowlist working); the remote vantages stand for the outside. For a
/// port only a DNAT publishes, a local probe the host refuses is not a failure (<see cref="BackendFacts.PublishedByDnatOnly"/>).
/// </summary>
public sealed class NatOrUpstreamRule : IDiagnosisRule
{
    private const string Check = "probes";

    public Cause Cause => Cause.NatOrUpstream;

    public bool RequiresClearHost => true;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (IntentGate.Unless(port, Check, "from outside", PortExpose.Public) is { } notPromised)
        {
            return notPromised;
        }

        if (!evidence.Config.Probes.Enabled && evidence.Config.Vantages.Count == 0)
        {
            return RuleOutcome.Skipped(Check, "probes disabled");
        }

        if (ProbeFacts.Usable(port, evidence, out var whyMissing) is not { } probes)
        {
            return RuleOutcome.Missing(Check, whyMissing);
        }

        // Silence from a UDP port nobody configured is no evidence: many UDP services ignore a datagram they do not expect.
        var results = (probes.Ports.GetValueOrDefault(port.Key) ?? [])
            .Where(r => !(port is { Origin: IntentOrigin.Inferred, Protocol: TransportProtocol.Udp } && r.Reason == ProbeFailureReason.Timeout))
            .Where(r => !(port.From.Count > 0 && r.Vantage == ProbeVantageNames.External))
            .ToList();
        // A port that only a DNAT publishes (no listener here, its backends listening) is reached from outside through
        // the nat table's prerouting; the host's own connections take its output path, which publishes it on some
        // addresses or families only (Docker without a userland proxy: not on IPv6; a pod's hostPort: not on
        // loopback). A refusal there is the host's own connection delivered here, where nothing listens by design.
        var dnatOnly = BackendFacts.PublishedByDnatOnly(port, evidence);
        var notTranslated = dnatOnly
            ? results.Where(r => ProbeVantageNames.IsInside(r.Vantage) && r.Reason == ProbeFailureReason.Refused).ToList()
            : [];
        results = [.. results.Except(notTranslated)];
        var local = results.Where(r => ProbeVantageNames.IsInside(r.Vantage)).ToList();
        var outside = results.Where(r => !ProbeVantageNames.IsInside(r.Vantage) && probes.VantageUp.GetValueOrDefault(r.Vantage, true)).ToList();
        var downVantages = probes.VantageUp.Where(v => !v.Value).Select(v => v.Key).ToList();

        var localFailed = local.Where(r => !r.Success).ToList();
        var outsideFailed = outside.Where(r => !r.Success).ToList();
        var seen = string.Join("; ", results.Select(Describe));

        if (localFailed.Count > 0)
        {
            return RuleOutcome.Missing(Check, $"local probe failed: {string.Join("; ", localFailed.Select(Describe))}", "ss -tn; conntrack -L 2>/dev/null | head");
        }

        if (outsideFailed.Count > 0)
        {
            var targets = string.Join(", ", outsideFailed.Select(r => r.Address).Distinct());
            var confirm = $"from outside: nc -vz -w 3 {outsideFailed[0].Address.Replace(":", " ", StringComparison.Ordinal)}; check the NAT / load balancer port mapping";
            var summary = $"{Diagnoser.Describe(port)} answers locally but not from outside ({string.Join("; ", outsideFailed.Select(Describe))}): the NAT / port mapping or an upstream device does not forward it";
            var fix = $"Check the port mapping on the NAT device, load balancer or cloud security group for {targets} -> this host:{port.Port}, and that device's health.";
            if (evidence.Firewall?.Ports.GetValueOrDefault(port.Key) is { ReplyInterface: { } reply, OutsideConnection: { } way })
            {
                // The kernel sends the replies out of another interface than the one the connections come in on.
                var question = $"ip route get {way.Source} from {way.Destination}";
                return RuleOutcome.Cause(
                    Check,
                    $"{seen}; the replies from {way.Destination} leave by {reply}, not {way.Interface} where the connections come in",
                    $"{question}; ip rule; {confirm}",
                    $"{summary}, or drops the replies: this host routes them out of {reply}, not {way.Interface} where the connections to {way.Destination} come in ({question}: asymmetric routing), and a stateful firewall or anti-spoofing filter upstream drops such replies.",
                    $"Route the replies back the way the connections came (policy routing: ip rule add from {way.Destination} table N; ip route add default via {way.Interface}'s gateway dev {way.Interface} table N, kept in the network configuration); else: {fix}");
            }

            return RuleOutcome.Cause(Check, seen, confirm, $"{summary}.", fix);
        }

        if (downVantages.Count > 0 && outside.Count == 0 && evidence.Config.Vantages.Count > 0)
        {
            return RuleOutcome.Missing(Check, $"remote vantage(s) {string.Join(", ", downVantages)} did not answer; the outside view is unknown");
        }

        if (notTranslated.Count == 0)
        {
            return RuleOutcome.Clear(Check, seen.Length == 0 ? "no probe asked" : seen);
        }

        var untranslated = $"{string.Join(", ", notTranslated.Select(r => r.Address))} refused: the host's own connections there are not translated by the DNAT that publishes the port";
        return RuleOutcome.Clear(Check, seen.Length == 0 ? untranslated : $"{seen} ({untranslated})");
    }

    private static string Describe(ProbeResult r) =>
        r.Success ? $"{r.Vantage} {r.Address} ok" : $"{r.Vantage} {r.Address} {r.Reason.ToString().ToLowerInvariant()}";
}
