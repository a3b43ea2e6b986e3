using PortExporter.Firewall.Evaluation;

namespace PortExporter.Core.Firewall;

/// <summary>The connections to simulate for one watched port.</summary>
/// <param name="Outside">From the outside source on the outside interface; null when the host has no interface to simulate it on.</param>
/// <param name="Inside">From this host over loopback.</param>
/// <param name="OutsideProblem">Why <paramref name="Outside"/> is null.</param>
public sealed record ConnectionPlan(SimulatedConnection? Outside, SimulatedConnection Inside, string? OutsideProblem = null);
