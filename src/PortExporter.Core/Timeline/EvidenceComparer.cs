namespace PortExporter.Core.Timeline;

/// <summary>One kind of evidence compared between two collections: the change in words, or null when there is none.</summary>
/// <param name="Kind">The kind of evidence.</param>
/// <param name="Describe">Compares the facts before and after; null when this kind did not change (or either side lacks it).</param>
public sealed record EvidenceComparer(EvidenceKind Kind, Func<PortFacts, PortFacts, string?> Describe);
