using PortExporter.Firewall.Evaluation;

namespace PortExporter.Core.Firewall;

/// <summary>The connections to simulate for one watched port.</summary>
/// <param name="Outside">From the outside source (<c>firewall.external_source</c>) on the outside interface; null when the host has no interface to simulate it on.</param>
/// <param name="Inside">The <c>inside</c> source: a client on each internal network, on its interface; this host over loopback when the host has no internal network (or the port is bound to loopback). Never empty.</param>
/// <param name="OutsideProblem">Why <paramref name="Outside"/> is null.</param>
public sealed record ConnectionPlan(SimulatedConnection? Outside, PlannedSource Inside, string? OutsideProblem = null)
{
    /// <summary>
    /// Outside over IPv6 as well, for a port whose address family was not chosen by <c>bind</c> or <c>external</c>,
    /// whose listeners serve both families (a dual-stack <c>[::]</c>) on a host with an IPv6 default route (or an IPv6
    /// subnet on its IPv4 outside interface: clients on that network): outside
    /// clients come both ways. Empty otherwise, and for an auto-watched port (its intent is inferred from one verdict).
    /// </summary>
    public IReadOnlyList<SimulatedConnection> OtherOutside { get; init; } = [];

    /// <summary>
    /// True when <see cref="OtherOutside"/> is asked because no listener on this host serves IPv6: a connection of it
    /// counts only where a DNAT sends it on (a container published over both families), since nothing here takes it
    /// otherwise and the IPv4 verdict is the port's.
    /// </summary>
    public bool OtherOutsideIfTranslated { get; init; }

    /// <summary>One entry per <c>from:</c> range of the port, in the config's order.</summary>
    public IReadOnlyList<PlannedSource> From { get; init; } = [];
}

/// <summary>
/// The connections that stand for one intended source: a <c>from:</c> range's first usable address and, when it
/// differs, the range's other end; for <c>inside</c>, one client per internal network.
/// </summary>
/// <param name="Source">The <c>source</c> label: the range in CIDR notation, or <c>inside</c>.</param>
/// <param name="Connections">The connections; empty when none can be simulated.</param>
/// <param name="Problem">Why <paramref name="Connections"/> is empty, or what was left out.</param>
public sealed record PlannedSource(string Source, IReadOnlyList<SimulatedConnection> Connections, string? Problem = null);
