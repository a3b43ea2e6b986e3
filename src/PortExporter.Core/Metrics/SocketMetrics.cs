using PortExporter.Core.Collection;
using PortExporter.Core.Sockets;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// The listening evidence per watched port: <c>port_listening</c>, <c>port_listener_info</c> and
/// <c>port_exposed</c>. When the sockets collector failed, none of them is written (the collector's
/// success gauge tells why), so a failed read never looks like "nothing listens".
/// </summary>
public sealed class SocketMetrics : IMetricsWriter
{
    public const string Listening = "port_listening";
    public const string ListenerInfo = "port_listener_info";
    public const string Exposed = "port_exposed";

    private readonly SeriesSet _listening;
    private readonly SeriesSet _listenerInfo;
    private readonly SeriesSet _exposed;

    public SocketMetrics(IMetricFactory factory)
    {
        _listening = new SeriesSet(
            factory,
            Listening,
            "1 when a socket listens on the watched port (TCP) or is bound to it (UDP), 0 when none does.",
            PortLabels.Names);
        _listenerInfo = new SeriesSet(
            factory,
            ListenerInfo,
            "One series per listener of the watched port: its local address, scope (wildcard, loopback, address) and owning process (comm; empty when unknown).",
            PortLabels.With("address", "scope", "process"));
        _exposed = new SeriesSet(
            factory,
            Exposed,
            "1 when a listener of the watched port accepts traffic on the outside path: the configured bind address, a wildcard, or, with no bind configured, any non-loopback address.",
            PortLabels.Names);
    }

    public void Write(EvidenceSnapshot snapshot)
    {
        var listening = new List<(string[], double)>();
        var info = new List<(string[], double)>();
        var exposed = new List<(string[], double)>();
        if (snapshot.Sockets is { } sockets)
        {
            var owners = snapshot.Processes?.OwnersByInode;
            foreach (var port in snapshot.Ports)
            {
                var listeners = sockets.For(port.Key).ToList();
                listening.Add((PortLabels.Of(port), listeners.Count > 0 ? 1 : 0));
                exposed.Add((PortLabels.Of(port), ListenerExposure.IsExposed(port, listeners, snapshot.Network) ? 1 : 0));
                var distinct = listeners
                    .Select(l => (Address: l.AddressText, Scope: l.Scope.ToLabel(), Process: owners?.GetValueOrDefault(l.Inode)?.DisplayName ?? string.Empty))
                    .Distinct();
                foreach (var (address, scope, process) in distinct)
                {
                    info.Add((PortLabels.Of(port, address, scope, process), 1));
                }
            }
        }

        _listening.Replace(listening);
        _listenerInfo.Replace(info);
        _exposed.Replace(exposed);
    }
}
