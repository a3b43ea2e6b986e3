namespace PortExporter.Tests.Reliability;

/// <summary>
/// The reliability and privilege tests measure deadlines and memory of real exporter processes: they run one at a
/// time, after the tests that run in parallel, so other tests' load does not distort the figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "reliability";
}
