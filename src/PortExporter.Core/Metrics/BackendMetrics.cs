using PortExporter.Core.Backend;
using PortExporter.Core.Collection;
using PortExporter.Core.Sockets;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// The backend behind a watched port's DNAT or userland proxy: <c>port_backend_listening</c> (1/0) and <c>port_backend_listener_info</c>
/// per listener of the backend with its owning process. A backend whose namespace was not found or not read has no
/// series (missing evidence, never 0); the diagnosis names why.
/// </summary>
public sealed class BackendMetrics : IMetricsWriter
{
    public const string Listening = "port_backend_listening";
    public const string ListenerInfo = "port_backend_listener_info";

    private readonly SeriesSet _listening;
    private readonly SeriesSet _listenerInfo;

    public BackendMetrics(IMetricFactory factory)
    {
        _listening = new SeriesSet(
            factory,
            Listening,
            "1 when a socket in the network namespace that owns a DNAT target or userland proxy backend of the watched port (a container's or pod's) accepts connections to it, 0 when none does.",
            PortLabels.With("backend"));
        _listenerInfo = new SeriesSet(
            factory,
            ListenerInfo,
            "One series per listener serving a DNAT target or userland proxy backend of the watched port: its local address, scope and owning process (comm; empty when unknown).",
            PortLabels.With("backend", "address", "scope", "process"));
    }

    public void Write(EvidenceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var listening = new List<(string[], double)>();
        var info = new List<(string[], double)>();
        if (snapshot.Backends is { } backends)
        {
            foreach (var port in snapshot.Ports)
            {
                foreach (var backend in BackendCollector.TargetsOf(port, snapshot).Select(backends.For).OfType<BackendResult>().Where(b => b.IsKnown))
                {
                    listening.Add((PortLabels.Of(port, backend.Target.Label), backend.Status == BackendStatus.Listening ? 1 : 0));
                    var distinct = backend.Listeners
                        .Select(l => (Address: l.AddressText, Scope: l.Scope.ToLabel(), Process: backend.Owners.GetValueOrDefault(l.Inode)?.DisplayName ?? string.Empty))
                        .Distinct();
                    foreach (var (address, scope, process) in distinct)
                    {
                        info.Add((PortLabels.Of(port, backend.Target.Label, address, scope, process), 1));
                    }
                }
            }
        }

        _listening.Replace(listening);
        _listenerInfo.Replace(info);
    }
}
