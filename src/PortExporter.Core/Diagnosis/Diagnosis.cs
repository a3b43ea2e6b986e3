using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;

namespace PortExporter.Core.Diagnosis;

/// <summary>The decision for one watched port.</summary>
/// <param name="Port">The watched port.</param>
/// <param name="Cause">The root cause: the first that holds in the case's order, else ok or unknown.</param>
/// <param name="Summary">One sentence for the on-call engineer.</param>
/// <param name="Fix">What to do, for the cause (null for ok).</param>
/// <param name="Findings">Every cause that holds (the first is <see cref="Cause"/>): fixing one will not clear the others.</param>
/// <param name="Steps">The evidence chain in the case's order.</param>
/// <param name="Missing">Evidence that could not be read.</param>
public sealed record Diagnosis(
    PortSpec Port,
    Cause Cause,
    string Summary,
    string? Fix,
    IReadOnlyList<Cause> Findings,
    IReadOnlyList<EvidenceStep> Steps,
    IReadOnlyList<string> Missing)
{
    public bool IsHealthy => Cause == Cause.Ok;

    /// <summary>The firewall's verdict per source (outside, inside, each <c>from:</c> range); empty without firewall evidence.</summary>
    public IReadOnlyList<SourceVerdict> FirewallSources { get; init; } = [];
}
