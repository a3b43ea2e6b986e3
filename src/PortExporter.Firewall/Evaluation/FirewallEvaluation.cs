namespace PortExporter.Firewall.Evaluation;

/// <summary>What the evaluator found for one simulated connection.</summary>
/// <param name="Decision">The verdict and the rule or policy that made it.</param>
/// <param name="DroppedPackets">The packet counter of the deciding drop/reject rule, when it has one.</param>
/// <param name="Redirect">A DNAT/REDIRECT met on the way, as text, or null.</param>
public sealed record FirewallEvaluation(FirewallDecision Decision, long? DroppedPackets = null, string? Redirect = null);
