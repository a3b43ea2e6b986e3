using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Probes;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// The probe results that are evidence for one port: none when the probe collector gave nothing, when no probe round
/// has ended yet, when the last one is stale (two <c>probes.interval</c>s old at the collection's time), or when the
/// port was not watched yet at the last round. Pure.
/// </summary>
internal static class ProbeFacts
{
    /// <summary>The probe evidence usable for <paramref name="port"/>, or null with why not (for a missing step).</summary>
    public static ProbeEvidence? Usable(PortSpec port, EvidenceSnapshot evidence, out string whyMissing)
    {
        whyMissing = string.Empty;
        if (evidence.Probes is not { } probes)
        {
            whyMissing = $"probe evidence {evidence.WhyMissing(CollectorNames.Probes)}";
            return null;
        }

        if (probes.WhyNotEvidence(evidence.TakenAt, evidence.Config.Probes.Interval) is { } why)
        {
            whyMissing = $"probe evidence {why}";
            return null;
        }

        if (probes.RoundAt is not null && !probes.Ports.ContainsKey(port.Key))
        {
            whyMissing = "probe evidence not gathered yet (the port was not watched at the last probe round)";
            return null;
        }

        return probes;
    }
}
