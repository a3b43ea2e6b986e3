using System.ComponentModel;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;

namespace PortExporter.Core.Sockets;

/// <summary>
/// The sockets evidence: every TCP listener and bound UDP socket, IPv4 and IPv6. When the exporter shares the
/// network namespace that <c>--path.procfs</c> describes, it asks the kernel over netlink <c>sock_diag</c> for
/// listeners only (cost independent of the established connections, and the real IPV6_V6ONLY flag), and with
/// configured ports for those ports' listeners only (cost independent of the host's other listeners); otherwise,
/// or when netlink is refused, it reads <c>&lt;procfs&gt;/net/{tcp,tcp6,udp,udp6}</c> with the <c>bindv6only</c>
/// default. Fails when tcp or udp is missing or any table is malformed. Safe to call from several collections at once.
/// </summary>
/// <param name="logger">Debug lines for absent optional files; one warning when netlink is refused.</param>
/// <param name="netDirectory">Where the tables are read from instead of <c>&lt;procfs&gt;/net</c>; for example
/// <c>/proc/1/net</c> shows PID 1's network namespace to an exporter that runs in its own. Null: from the procfs root.</param>
public sealed class SocketCollector(ILogger<SocketCollector> logger, string? netDirectory = null) : IHostFactCollector<SocketEvidence>
{
    private volatile bool _netlinkRefused;
    private volatile SelectionForConfig? _selection;

    public string Name => CollectorNames.Sockets;

    public Task<SocketEvidence> CollectAsync(CollectionContext context, HostFacts known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reader = new SocketTableReader(netDirectory ?? context.Paths.Proc("net"), context.Paths.Proc("sys", "net"));
        if (netDirectory is null && !_netlinkRefused && NetworkNamespace.IsOwn(context.Paths.Procfs))
        {
            try
            {
                var listeners = SockDiagReader.ReadListeners(SelectionFor(context.Config));
                SocketLog.ListenersReadNetlink(logger, listeners.Count);
                var range = reader.ReadEphemeralPortRange(path => SocketLog.OptionalFileAbsent(logger, path));
                return Task.FromResult(new SocketEvidence(listeners, range.First)
                {
                    EphemeralPortEnd = range.Last,
                    NetworkNamespace = NetworkNamespace.OfThisThread(),
                });
            }
            catch (Win32Exception e)
            {
                _netlinkRefused = true;
                SocketLog.NetlinkRefused(logger, e.Message);
            }
        }

        var sockets = reader.Read(path => SocketLog.OptionalFileAbsent(logger, path), cancellationToken);
        SocketLog.ListenersRead(logger, sockets.Listeners.Count, reader.NetDirectory);
        return Task.FromResult(sockets with { NetworkNamespace = NetworkNamespace.OfNetDirectory(reader.NetDirectory) });
    }

    /// <summary>
    /// What to ask the kernel for: the configured ports only, or every listener when ports are discovered (the
    /// resolver learns new ports from them). Nothing reads listeners of unwatched ports otherwise: the rules,
    /// metrics and owner lookups all go through <see cref="SocketEvidence.For"/> of a watched port.
    /// </summary>
    internal ListenerSelection SelectionFor(Configuration.ExporterConfig config)
    {
        if (config.DiscoversPorts)
        {
            return ListenerSelection.All;
        }

        if (_selection is { } cached && ReferenceEquals(cached.Config, config))
        {
            return cached.Selection;
        }

        var selection = ListenerSelection.Of(config.Ports.Select(p => p.Key));
        _selection = new SelectionForConfig(config, selection);
        return selection;
    }

    private sealed record SelectionForConfig(Configuration.ExporterConfig Config, ListenerSelection Selection);
}
