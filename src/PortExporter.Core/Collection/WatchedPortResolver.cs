using PortExporter.Core.Configuration;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>
/// The watched set. With ports in the config it is the config's. With no config file it is every port
/// that has had a listener since start (TCP listeners; UDP sockets below the ephemeral range), so a port
/// whose service dies stays watched and shows the outage. Bounded by <see cref="ConfigDefaults.AutoWatchMaxPorts"/>.
/// Thread-safe.
/// </summary>
public sealed class WatchedPortResolver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<PortKey, PortSpec> _discovered = [];

    public IReadOnlyList<PortSpec> Resolve(ExporterConfig config, SocketEvidence? sockets, ProcessEvidence? processes)
    {
        if (!config.DiscoversPorts)
        {
            return config.Ports;
        }

        lock (_gate)
        {
            if (sockets is not null)
            {
                foreach (var listener in sockets.Listeners.OrderBy(l => l.Port).ThenBy(l => l.Protocol))
                {
                    if (_discovered.Count >= ConfigDefaults.AutoWatchMaxPorts)
                    {
                        break;
                    }

                    if (listener.Protocol == TransportProtocol.Udp && listener.Port >= sockets.EphemeralPortStart)
                    {
                        continue;
                    }

                    if (!_discovered.ContainsKey(listener.Key))
                    {
                        var owner = processes?.OwnersByInode.GetValueOrDefault(listener.Inode);
                        var name = owner is not null && ConfigLoader.LabelSafeName().IsMatch(owner.DisplayName)
                            ? owner.DisplayName
                            : $"{listener.Protocol.ToLabel()}-{listener.Port}";
                        _discovered[listener.Key] = new PortSpec(name, listener.Port, listener.Protocol);
                    }
                }
            }

            return [.. _discovered.Values.OrderBy(p => p.Port).ThenBy(p => p.Protocol)];
        }
    }

    /// <summary>Forgets discovered ports (on reload).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _discovered.Clear();
        }
    }
}
