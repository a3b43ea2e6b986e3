using PortExporter.Core.Collection;

namespace PortExporter.Core.Metrics;

/// <summary>Turns one evidence source's part of a snapshot into series. One writer per source.</summary>
public interface IMetricsWriter
{
    void Write(EvidenceSnapshot snapshot);
}
