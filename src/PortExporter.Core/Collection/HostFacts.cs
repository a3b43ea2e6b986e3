using PortExporter.Core.Network;
using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Collection;

/// <summary>
/// Stage 1 of a collection: what the host is, before any question about a port. The network and the sockets are
/// read side by side; the processes after them (the owner of a listener is found from its socket inode). The watched
/// ports are resolved from these facts, then every per-port collector reads them, and only them: no collector reads
/// another's output. A null part was not collected (its collector failed or is disabled). Immutable.
/// </summary>
/// <param name="Network">Interfaces, addresses and default routes (one read per collection).</param>
/// <param name="Sockets">Listeners and bound UDP sockets.</param>
/// <param name="Processes">Owners of the listeners, configured processes and units.</param>
public sealed record HostFacts(HostNetwork? Network, SocketEvidence? Sockets, ProcessEvidence? Processes)
{
    public static HostFacts None { get; } = new(null, null, null);
}
