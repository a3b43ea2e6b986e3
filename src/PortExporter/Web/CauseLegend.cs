using System.Collections.Frozen;
using PortExporter.Core.Diagnosis;

namespace PortExporter.Web;

/// <summary>
/// Every cause with its colour and the case's hypothesis (A firewall, B process not listening, C wrong bind
/// address, D SELinux, E NAT / port mapping), in the order the case reasons. One colour per hypothesis, so a
/// glance at the table says which part of the runbook to open. <c>exposed</c> is the opposite promise broken (no
/// hypothesis letter: the port is reachable where it must not be).
/// </summary>
public static class CauseLegend
{
    /// <summary>All causes, in the order of <see cref="Cause"/>.</summary>
    public static IReadOnlyList<CauseStyle> All { get; } =
    [
        new(Cause.Ok, null, null, "every check passed and every probe that was asked succeeded", "#c6efce"),
        new(Cause.ProcessDown, "B", "process not listening", "the configured process or unit is not running", "#ffb3b3"),
        new(Cause.NotListening, "B", "process not listening", "nothing listens on the port", "#ffb3b3"),
        new(Cause.NotAccepting, "B", "process not listening", "the port listens, but its process takes no connections: the accept queue is full", "#ffb3b3"),
        new(Cause.LoopbackOnly, "C", "wrong bind address", "the port listens only on loopback (127.0.0.1, ::1)", "#ffe699"),
        new(Cause.WrongAddress, "C", "wrong bind address", "the port listens only on addresses outside clients do not reach", "#ffe699"),
        new(Cause.FirewallBlocked, "A", "firewall blocks", "the firewall drops or rejects connections from outside", "#ffc999"),
        new(Cause.SelinuxDenied, "D", "SELinux denies", "SELinux enforces and the port label is wrong or a denial was logged", "#e4c8f5"),
        new(Cause.NatOrUpstream, "E", "NAT / port mapping", "every local check and probe passes, the external address or a remote vantage fails", "#bdd7ee"),
        new(Cause.Exposed, null, "exposed against intent", "reachable from where the port's intent (expose) says it must not be: a security finding", "#f4b6c2"),
        new(Cause.Unknown, null, null, "evidence needed for the decision is missing", "#d9d9d9"),
    ];

    private static readonly FrozenDictionary<string, CauseStyle> ByLabel = All.ToFrozenDictionary(s => s.Label, StringComparer.Ordinal);

    /// <summary>The style of a cause label; a label outside the vocabulary is shown as <c>unknown</c>.</summary>
    public static CauseStyle For(string label) => ByLabel.TryGetValue(label, out var style) ? style : ByLabel[Cause.Unknown.ToLabel()];
}
