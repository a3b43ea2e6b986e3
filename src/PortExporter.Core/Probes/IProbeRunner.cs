using PortExporter.Core.Configuration;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Probes;

/// <summary>Runs one probe round (<see cref="ProbeRunner"/>; tests give their own).</summary>
public interface IProbeRunner
{
    /// <summary>Probes <paramref name="input"/>'s ports; no probe runs past <paramref name="deadline"/>.</summary>
    Task<ProbeEvidence> RunAsync(ProbePlanInput input, DateTimeOffset deadline, CancellationToken cancellationToken);
}

/// <summary>What one probe round probes. Immutable.</summary>
/// <param name="Config">The config in force (probe settings, remote vantages).</param>
/// <param name="Sockets">The listeners last seen (which addresses to probe), or null when not known yet.</param>
/// <param name="Ports">The watched ports.</param>
public sealed record ProbePlanInput(ExporterConfig Config, SocketEvidence? Sockets, IReadOnlyList<PortSpec> Ports)
{
    /// <summary>Also probe every configured <c>probe_targets</c> entry (the schedule of a vantage; not a one-shot diagnosis).</summary>
    public bool WithTargets { get; init; }
}
