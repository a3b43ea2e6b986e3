using PortExporter.Firewall.Evaluation;

namespace PortExporter.Core.Firewall;

/// <summary>The connections to simulate for one watched port.</summary>
/// <param name="Outside">From the outside source (<c>firewall.external_source</c>) on the outside interface; null when the host has no interface to simulate it on.</param>
/// <param name="Inside">From a client on an internal network, on its interface; from this host over loopback when the host has no internal network (or the port is bound to loopback).</param>
/// <param name="OutsideProblem">Why <paramref name="Outside"/> is null.</param>
public sealed record ConnectionPlan(SimulatedConnection? Outside, SimulatedConnection Inside, string? OutsideProblem = null)
{
    /// <summary>One entry per <c>from:</c> range of the port, in the config's order.</summary>
    public IReadOnlyList<PlannedSource> From { get; init; } = [];
}

/// <summary>The connections that stand for one intended source: a <c>from:</c> range's first usable address and, when it differs, the range's other end.</summary>
/// <param name="Source">The <c>source</c> label: the range in CIDR notation.</param>
/// <param name="Connections">One or two connections; empty when none can be simulated.</param>
/// <param name="Problem">Why <paramref name="Connections"/> is empty.</param>
public sealed record PlannedSource(string Source, IReadOnlyList<SimulatedConnection> Connections, string? Problem = null);
