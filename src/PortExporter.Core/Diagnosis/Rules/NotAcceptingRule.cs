using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// B: the port listens, but its process does not take connections: a listener's accept queue is full, so the
/// kernel drops new handshakes and clients time out, from inside and outside alike (a hung, deadlocked or overloaded
/// process). A full queue is the cause when the local probes failed too, or gave nothing; when they connected, the
/// queue filled for a moment (a burst the process is working through), and it is only noted. Not so where the full
/// listener shares its address and port with one that is not full (SO_REUSEPORT, a listener per worker or per
/// process): the kernel hashes each new connection to one of them, so the probes may have reached another while the
/// clients sent to the full one time out.
/// </summary>
public sealed class NotAcceptingRule : IDiagnosisRule
{
    private const string Check = "accepting";

    public Cause Cause => Cause.NotAccepting;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (port.Protocol != TransportProtocol.Tcp)
        {
            return RuleOutcome.Skipped(Check, $"{port.Protocol.ToLabel()} has no accept queue");
        }

        var queued = evidence.Sockets?.For(port.Key).Where(l => l.AcceptQueue is not null).ToList() ?? [];
        if (queued.Count == 0)
        {
            return RuleOutcome.Skipped(Check, "no accept queue read (no listener, or read from /proc/net, which does not show the backlog)");
        }

        var command = $"ss -tln 'sport = :{port.Port.ToString(CultureInfo.InvariantCulture)}'; nstat -az TcpExtListenOverflows TcpExtListenDrops";
        var full = queued.Where(l => l.AcceptQueue!.Value.Full).ToList();
        var described = string.Join(", ", (full.Count > 0 ? full : queued).Select(l => $"{ListenerFacts.Describe(l, evidence)}: {Queue(l.AcceptQueue!.Value)}"));
        if (full.Count == 0)
        {
            return RuleOutcome.Clear(Check, described, command);
        }

        // A full listener beside one of its SO_REUSEPORT group (the port's listeners on the same address and device)
        // that is not full: probes that connected prove nothing of it.
        var mixed = full.Select(l => queued.FindAll(o => o.Address.Equals(l.Address) && o.Device == l.Device))
            .FirstOrDefault(group => group.Exists(o => !o.AcceptQueue!.Value.Full));
        var partial = mixed is not null;
        var probes = ProbeFacts.Usable(port, evidence, out _)?.Ports.GetValueOrDefault(port.Key)?.Where(r => ProbeVantageNames.IsInside(r.Vantage)).ToList();
        if (!partial && probes is { Count: > 0 } && probes.TrueForAll(r => r.Success))
        {
            return RuleOutcome.Clear(Check, $"{described}; the local probes connected, so a burst filled it for a moment", command);
        }

        var owner = full.Select(l => ListenerFacts.Owner(l, evidence)).FirstOrDefault(o => o is not null);
        var pid = owner?.Pid.ToString(CultureInfo.InvariantCulture) ?? "PID";
        var process = owner is null ? "The process" : $"{owner.DisplayName} (pid {pid})";
        return RuleOutcome.Cause(
            Check,
            $"accept queue full: {described}",
            command,
            partial
                ? $"{Diagnoser.Describe(port)} listens but part of it takes no connections: the accept queue of {described}, one of {mixed!.Count.ToString(CultureInfo.InvariantCulture)} listeners on that address and port (SO_REUSEPORT); the kernel hashes each new connection to one of them, and the clients it sends to a full one time out while the others are served."
                : $"{Diagnoser.Describe(port)} listens but takes no connections: the accept queue of {described}; the kernel drops new connections, and clients time out.",
            $"{process} is not accepting: hung, deadlocked or overloaded. Look at it (top -H -p {pid}, its log, a thread dump) and restart it; if it is overload, add workers, or raise its listen backlog (and net.core.somaxconn).");
    }

    private static string Queue(AcceptQueue queue) =>
        string.Create(CultureInfo.InvariantCulture, $"{queue.Waiting} waiting to be accepted, backlog {queue.Backlog}{(queue.Full ? " (full)" : string.Empty)}");
}
