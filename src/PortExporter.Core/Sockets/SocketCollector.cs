using Microsoft.Extensions.Logging;
using PortExporter.Core.Collection;

namespace PortExporter.Core.Sockets;

/// <summary>
/// The sockets evidence: every TCP listener and bound UDP socket, IPv4 and IPv6, from the kernel's socket
/// tables (<c>&lt;procfs&gt;/net/{tcp,tcp6,udp,udp6}</c>), with the ephemeral port range and the
/// <c>bindv6only</c> default. Fails when tcp or udp is missing or any table is malformed. Reads files only;
/// safe to call from several collections at once.
/// </summary>
/// <param name="logger">Debug lines for absent optional files.</param>
/// <param name="netDirectory">Where the tables are read from instead of <c>&lt;procfs&gt;/net</c>; for example
/// <c>/proc/1/net</c> shows PID 1's network namespace to an exporter that runs in its own. Null: from the procfs root.</param>
public sealed class SocketCollector(ILogger<SocketCollector> logger, string? netDirectory = null) : IEvidenceCollector
{
    public string Name => CollectorNames.Sockets;

    public Task CollectAsync(CollectionContext context, EvidenceBuilder evidence, CancellationToken cancellationToken)
    {
        var reader = new SocketTableReader(netDirectory ?? context.Paths.Proc("net"), context.Paths.Proc("sys", "net"));
        var sockets = reader.Read(path => SocketLog.OptionalFileAbsent(logger, path), cancellationToken);
        SocketLog.ListenersRead(logger, sockets.Listeners.Count, reader.NetDirectory);
        evidence.Sockets = sockets;
        return Task.CompletedTask;
    }
}
