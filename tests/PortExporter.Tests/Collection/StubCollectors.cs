using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Collection;

/// <summary>A host-fact collector that runs the test's delegate.</summary>
public sealed class StubHostFact<T>(string name, Func<HostFacts, CancellationToken, Task<T>> collect) : IHostFactCollector<T>
    where T : class
{
    public string Name => name;

    public Task<T> CollectAsync(CollectionContext context, HostFacts known, CancellationToken cancellationToken) => collect(known, cancellationToken);
}

/// <summary>A per-port collector that runs the test's delegate.</summary>
public sealed class StubPortEvidence<T>(string name, Func<HostFacts, IReadOnlyList<PortSpec>, CancellationToken, Task<T?>> collect) : IPortEvidenceCollector<T>
    where T : class
{
    public string Name => name;

    public Task<T?> CollectAsync(CollectionContext context, HostFacts facts, IReadOnlyList<PortSpec> ports, CancellationToken cancellationToken) =>
        collect(facts, ports, cancellationToken);
}

/// <summary>Sources where every collector the test does not give fails if it is run (disable it or give it).</summary>
public static class StubSources
{
    public static EvidenceSources With(
        IHostFactCollector<HostNetwork>? network = null,
        IHostFactCollector<SocketEvidence>? sockets = null,
        IHostFactCollector<ProcessEvidence>? processes = null,
        IPortEvidenceCollector<FirewallEvidence>? firewall = null,
        IPortEvidenceCollector<SelinuxEvidence>? selinux = null,
        IPortEvidenceCollector<ProbeEvidence>? probes = null) => new(
        network ?? Unexpected<HostNetwork>(CollectorNames.Network),
        sockets ?? Unexpected<SocketEvidence>(CollectorNames.Sockets),
        processes ?? Unexpected<ProcessEvidence>(CollectorNames.Processes),
        firewall ?? UnexpectedPort<FirewallEvidence>(CollectorNames.Firewall),
        selinux ?? UnexpectedPort<SelinuxEvidence>(CollectorNames.Selinux),
        probes ?? UnexpectedPort<ProbeEvidence>(CollectorNames.Probes));

    /// <summary>Switches that disable every collector not named.</summary>
    public static CollectorSwitches Only(params string[] enabled) =>
        CollectorSwitches.Disabling(CollectorNames.All.Except(enabled, StringComparer.Ordinal));

    private static StubHostFact<T> Unexpected<T>(string name)
        where T : class =>
        new(name, (_, _) => throw new InvalidOperationException($"{name} ran although the test did not give it"));

    private static StubPortEvidence<T> UnexpectedPort<T>(string name)
        where T : class =>
        new(name, (_, _, _) => throw new InvalidOperationException($"{name} ran although the test did not give it"));
}
