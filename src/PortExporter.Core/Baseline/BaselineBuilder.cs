using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Sockets;
using PortExporter.Firewall.Evaluation;

namespace PortExporter.Core.Baseline;

/// <summary>
/// Builds the <see cref="SurfaceBaseline"/> of one collection: a pure function of the evidence snapshot and the
/// host name. Evidence a collector did not deliver is written as <see cref="BaselineFormat.Unknown"/>, never as
/// "none", so a failed collector is not mistaken for a port that lost its listener.
/// </summary>
public static class BaselineBuilder
{
    public static SurfaceBaseline Build(EvidenceSnapshot evidence, string host)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentException.ThrowIfNullOrEmpty(host);
        var rulesets = evidence.Firewall?.RulesetFingerprints ?? [];
        return new SurfaceBaseline(
            BaselineFormat.Version,
            host,
            [.. rulesets.OrderBy(r => r.Backend, StringComparer.Ordinal)],
            [.. evidence.Ports.Select(p => Port(evidence, p)).OrderBy(p => p.Key.Port).ThenBy(p => p.Key.Protocol)]);
    }

    private static PortSurface Port(EvidenceSnapshot evidence, PortSpec port) => new(
        port.Key,
        port.Name,
        port.Expose.ToLabel(),
        port.Origin.ToLabel(),
        Listeners(evidence, port),
        Unit(evidence, port),
        Verdicts(evidence, port),
        SelinuxType(evidence, port),
        Paths(evidence, port));

    private static List<ListenerSurface> Listeners(EvidenceSnapshot evidence, PortSpec port)
    {
        if (evidence.Sockets is not { } sockets)
        {
            return [new ListenerSurface(BaselineFormat.Unknown, BaselineFormat.Unknown, BaselineFormat.Unknown)];
        }

        return [.. sockets.For(port.Key)
            .Select(l => new ListenerSurface(l.AddressText, l.Scope.ToLabel(), Owner(evidence, l)))
            .Distinct()
            .OrderBy(l => l.Address, StringComparer.Ordinal)
            .ThenBy(l => l.Process, StringComparer.Ordinal)];
    }

    private static string Owner(EvidenceSnapshot evidence, Listener listener) =>
        evidence.Processes?.OwnersByInode.TryGetValue(listener.Inode, out var owner) == true ? owner.DisplayName : BaselineFormat.Unknown;

    private static string Unit(EvidenceSnapshot evidence, PortSpec port)
    {
        if (port.Unit is not { } unit)
        {
            return BaselineFormat.None;
        }

        var state = evidence.Processes is { SystemdAvailable: true } processes && processes.Units.TryGetValue(unit, out var u)
            ? u.ActiveState
            : BaselineFormat.Unknown;
        return $"{unit} {state}";
    }

    private static List<VerdictSurface> Verdicts(EvidenceSnapshot evidence, PortSpec port)
    {
        if (evidence.Firewall?.Ports.TryGetValue(port.Key, out var result) != true || result is null)
        {
            return [Unknown(BaselineFormat.Inside), Unknown(BaselineFormat.Outside)];
        }

        return [Verdict(ConnectionOrigin.Inside.ToLabel(), result.Inside), Verdict(ConnectionOrigin.Outside.ToLabel(), result.Outside)];
    }

    private static VerdictSurface Unknown(string source) => new(source, BaselineFormat.Unknown, string.Empty, string.Empty);

    private static VerdictSurface Verdict(string source, FirewallDecision decision) => new(
        source,
        decision.Verdict.ToString().ToLowerInvariant(),
        string.Join(' ', new[] { decision.Backend, decision.Table, decision.Chain }.Where(s => s.Length > 0 && s != FirewallBackends.None)),
        PortExporter.Firewall.Model.FirewallRule.TextOfLabel(decision.Rule));

    private static string SelinuxType(EvidenceSnapshot evidence, PortSpec port) => evidence.Selinux switch
    {
        null => BaselineFormat.Unknown,
        { Enabled: false } => BaselineFormat.None,
        var selinux => selinux.Ports.TryGetValue(port.Key, out var result) ? result.PortType ?? BaselineFormat.None : BaselineFormat.Unknown,
    };

    private static List<string> Paths(EvidenceSnapshot evidence, PortSpec port)
    {
        var paths = port.ExternalEndpoints.Select(e => $"external {e}").ToList();
        if (evidence.Firewall?.Ports.TryGetValue(port.Key, out var result) == true && result.Redirect is { } redirect)
        {
            paths.Add($"redirect {redirect}");
        }

        return [.. paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
