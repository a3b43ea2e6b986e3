namespace PortExporter.Core.Collection;

/// <summary>What every collector has: its <c>collector</c> label value (one of <see cref="CollectorNames"/>).</summary>
public interface IEvidenceSource
{
    string Name { get; }
}
