using System.Globalization;
using PortExporter.Core.Backend;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// B behind a DNAT: the firewall sends the port's connections on to another address (a container's or pod's), and
/// nothing in the network namespace that owns that address listens on the translated port. The host's own listener
/// (a proxy such as docker-proxy) does not serve those connections. A backend whose namespace was not found or not
/// read is missing evidence, never this cause; unless every namespace was read and its address is another host's
/// (routed on, or on a network of real hosts rather than a container bridge): a pod on another node behind a
/// NodePort, a server behind a port forward, whose listener is for that host to check. The same for a userland proxy
/// that holds the port and names its backend (docker-proxy, where no DNAT carries the port: Docker without its
/// iptables rules): the proxy accepts every connection, so clients and probes connect, and are closed at once.
/// </summary>
public sealed class BackendNotListeningRule : IDiagnosisRule
{
    private const string Check = "backend listening";

    public Cause Cause => Cause.NotListening;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        var verdicts = evidence.Firewall?.Ports.GetValueOrDefault(port.Key);
        var targets = BackendFacts.Targets(port, evidence);
        if (verdicts is null && targets.Count == 0)
        {
            return RuleOutcome.Skipped(Check, "no firewall verdict: where a DNAT sends the port is not known");
        }

        if (targets.Count == 0)
        {
            return RuleOutcome.Clear(Check, "no DNAT or userland proxy sends the port to another address");
        }

        if (evidence.Backends is not { } backends)
        {
            return RuleOutcome.Missing(Check, $"the backend of {string.Join(", ", targets.Select(t => t.Label))}: backend evidence {evidence.WhyMissing(CollectorNames.Backends)}");
        }

        var found = targets.Select(t => backends.For(t) ?? new BackendResult(t, BackendStatus.NamespaceNotFound, null, [], "not searched")).ToList();
        if (found.FirstOrDefault(b => b.Status == BackendStatus.NotListening) is { } dead)
        {
            var where = dead.Namespace!.Describe();
            var port2 = dead.Target.Port.ToString(CultureInfo.InvariantCulture);
            var bound = dead.Detail is null ? string.Empty : $" ({dead.Detail})";
            var translated = verdicts is not null && BackendCollector.TargetsOf(verdicts, port.Protocol).Contains(dead.Target);
            if (!translated && BackendFacts.ProxyTo(port, dead.Target, evidence) is { } proxy)
            {
                var holder = $"{proxy.DisplayName} pid {proxy.Pid.ToString(CultureInfo.InvariantCulture)}";
                return RuleOutcome.Cause(
                    Check,
                    $"{holder} holds {port.Port}/{port.Protocol.ToLabel()} and forwards it to {dead.Target.Label}: nothing listens there in {where}{bound}; clients connect to the proxy and are closed at once",
                    Command(dead)!,
                    $"{Diagnoser.Describe(port)}: {holder} accepts its connections and forwards them to the backend {dead.Target.Label}, where nothing listens (in {where}){bound}: clients connect, then the proxy closes on them.",
                    StartBehind(dead, "the container", "correct the published port (`docker port CONTAINER`)"));
            }

            if (evidence.Network?.IsLocal(dead.Target.Address) == true)
            {
                // A REDIRECT (or a DNAT to this host's own address): the listener belongs on this host.
                return RuleOutcome.Cause(
                    Check,
                    $"the firewall's nat rule sends {port.Port}/{port.Protocol.ToLabel()} to {dead.Target.Label} on this host: nothing listens there{bound}",
                    $"{Command(dead)}; iptables -t nat -S PREROUTING; nft list ruleset | grep -n -e redirect -e dnat",
                    $"{Diagnoser.Describe(port)}: the firewall's nat rule (REDIRECT or DNAT) sends it to {dead.Target.Label} on this host, where nothing listens{bound}.",
                    $"Start the service on port {port2} (or have it listen where the rule sends it), or correct the nat rule's target port so it points at the listening port {port.Port}.");
            }

            return RuleOutcome.Cause(
                Check,
                $"the DNAT sends {port.Port}/{port.Protocol.ToLabel()} to {dead.Target.Label}: nothing listens there in {where}{bound}",
                Command(dead)!,
                $"{Diagnoser.Describe(port)}: the DNAT sends it to the backend {dead.Target.Label}, where nothing listens (in {where}){bound}.",
                StartBehind(dead, "the container or pod", "correct the published port of the DNAT"));
        }

        // A backend no namespace of this host owns, outside its container networks: another host's to check.
        var placed = found.Select(b => (Backend: b, Elsewhere: BackendFacts.OnAnotherHost(b, evidence.Network))).ToList();
        var here = placed.Where(p => p.Elsewhere is null).Select(p => p.Backend).ToList();
        if (here.FirstOrDefault(b => !b.IsKnown) is { } unknown)
        {
            return RuleOutcome.Missing(Check, $"the backend {unknown.Target.Label}: {unknown.Status.ToLabel()}: {unknown.Detail}");
        }

        var seen = here.Select(Describe).Concat(placed.Where(p => p.Elsewhere is not null).Select(p => $"backend {p.Backend.Target.Label} on another host ({p.Elsewhere}): its listener is that host's to check"));
        return RuleOutcome.Clear(Check, string.Join("; ", seen), here.Count > 0 ? Command(here[0]) : null);
    }

    /// <summary>The fix for a backend where nothing listens: start it where <paramref name="whose"/> runs, listen on the wildcard, or <paramref name="orElse"/>.</summary>
    private static string StartBehind(BackendResult dead, string whose, string orElse)
    {
        var process = dead.Namespace!.Process;
        var wildcard = dead.Target.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[::]" : "0.0.0.0";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Start the service behind {dead.Target.Label} ({whose} of {process.DisplayName} pid {process.Pid}; check its log), have it listen on {wildcard}:{dead.Target.Port}, or {orElse}.");
    }

    private static string Describe(BackendResult backend)
    {
        var listeners = string.Join(", ", backend.Listeners.Select(l =>
        {
            var owner = backend.Owners.GetValueOrDefault(l.Inode);
            var endpoint = l.EndpointText;
            return owner is null ? endpoint : $"{endpoint} ({owner.DisplayName} pid {owner.Pid.ToString(CultureInfo.InvariantCulture)})";
        }).Distinct());
        return $"backend {backend.Target.Label} listening in {backend.Namespace!.Describe()}: {listeners}";
    }

    private static string? Command(BackendResult backend) =>
        backend.Namespace is { } ns
            ? $"nsenter -t {ns.Process.Pid.ToString(CultureInfo.InvariantCulture)} -n ss -{(backend.Target.Protocol == TransportProtocol.Udp ? "u" : "t")}lnp 'sport = :{backend.Target.Port.ToString(CultureInfo.InvariantCulture)}'"
            : null;
}
