using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Firewall.Evaluation;
using PortExporter.Tests.Firewall;
using static PortExporter.Tests.Diagnosis.EvidenceFactory;

namespace PortExporter.Tests.Diagnosis;

/// <summary>A healthy host's evidence but for the firewall: a captured ruleset (Firewall/fixtures) evaluated for one port.</summary>
internal static class FixtureEvidence
{
    /// <param name="listen">The listener's address (a wildcard of the port's family).</param>
    public static EvidenceSnapshot For(string fixture, PortSpec port, string listen = "0.0.0.0")
    {
        var (ruleset, backends) = FirewallFixture.Ruleset(fixture);
        var network = FirewallFixture.Network(fixture);
        var evaluator = new FirewallEvaluator(ruleset);
        var plan = ConnectionPlanner.Plan(port, null, network, null);
        var outside = evaluator.Evaluate(plan.Outside!, network.IsLocal, network.EgressInterface);
        var inside = evaluator.Evaluate(plan.Inside.Connections.Single(), network.IsLocal, network.EgressInterface).Decision;
        var firewall = new FirewallEvidence(
            backends,
            new Dictionary<PortKey, FirewallPortResult> { [port.Key] = new(outside.Decision, inside, OutsideConnection: plan.Outside) },
            DateTimeOffset.UnixEpoch);
        return Healthy() with { Ports = [port], Firewall = firewall, Network = network, Sockets = SocketsOf(Listening(listen) with { Port = port.Port }) };
    }
}
