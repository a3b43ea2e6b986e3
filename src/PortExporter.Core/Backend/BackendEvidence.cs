namespace PortExporter.Core.Backend;

/// <summary>The backends behind the DNATs of the watched ports, one per distinct target.</summary>
/// <param name="Backends">One result per target the firewall's verdicts forward to.</param>
/// <param name="ProcessesScanned">Processes whose namespace was looked at.</param>
/// <param name="NamespacesScanned">Distinct namespaces whose addresses were read.</param>
public sealed record BackendEvidence(IReadOnlyList<BackendResult> Backends, int ProcessesScanned, int NamespacesScanned)
{
    private readonly Dictionary<BackendTarget, BackendResult> _byTarget = Backends.ToDictionary(b => b.Target);

    public BackendResult? For(BackendTarget target) => _byTarget.GetValueOrDefault(target);
}
