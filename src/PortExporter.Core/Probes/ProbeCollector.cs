using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Probes;

/// <summary>
/// The probe evidence of a collection (when <c>probes.enabled</c>). With a <see cref="ProbeScheduler"/> (the
/// exporter's service) it never probes: it hands the scheduler the watched ports and listeners it will probe next
/// and returns the results of the latest round, which carry their time (<see cref="ProbeEvidence.RoundAt"/>), or
/// <see cref="ProbeEvidence.NoRoundYet"/>; so a scrape never waits for a probe and the probe traffic does not grow
/// with the scrapers. Without one (the one-shot <c>diagnose</c> verb, which has no history) it runs one round
/// itself, stopping <see cref="ProbeLimits.CollectionMargin"/> before the collection deadline. Thread-safe.
/// </summary>
public sealed class ProbeCollector(IProbeRunner runner, ProbeScheduler? scheduler = null) : IPortEvidenceCollector<ProbeEvidence>
{
    public string Name => CollectorNames.Probes;

    public async Task<ProbeEvidence?> CollectAsync(CollectionContext context, HostFacts facts, IReadOnlyList<PortSpec> ports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(ports);
        if (!context.Config.Probes.Enabled)
        {
            return null;
        }

        var input = new ProbePlanInput(context.Config, facts.Sockets, ports);
        if (scheduler is not null)
        {
            scheduler.Observe(input);
            return scheduler.Latest ?? ProbeEvidence.NoRoundYet;
        }

        return await runner.RunAsync(input, context.Deadline - ProbeLimits.CollectionMargin, cancellationToken).ConfigureAwait(false);
    }
}
