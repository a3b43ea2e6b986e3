namespace PortExporter.Core.Timeline;

/// <summary>One change of a watched port's evidence, seen between two consecutive collections. Immutable.</summary>
/// <param name="At">When the collection that saw it was taken (the change happened since the one before).</param>
/// <param name="Kind">What changed.</param>
/// <param name="Summary">The change in words: "outside accept -> drop (rule `tcp dport 8080 drop` added)".</param>
public sealed record TimelineEvent(DateTimeOffset At, EvidenceKind Kind, string Summary);
