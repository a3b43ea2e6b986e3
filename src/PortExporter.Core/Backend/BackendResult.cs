using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Backend;

/// <summary>The backend behind a DNAT: the namespace that owns the translated address and what listens there.</summary>
/// <param name="Target">The translated destination.</param>
/// <param name="Status">Listening, not listening, or why it is not known.</param>
/// <param name="Namespace">The namespace that owns the address, when found.</param>
/// <param name="Listeners">The sockets there that accept connections to the target (empty unless listening).</param>
/// <param name="Detail">Why the status is not known, or what else was seen (listeners on the port that do not serve the address).</param>
public sealed record BackendResult(
    BackendTarget Target,
    BackendStatus Status,
    BackendNamespace? Namespace,
    IReadOnlyList<Listener> Listeners,
    string? Detail = null)
{
    /// <summary>The owning process of each listener's inode, where found.</summary>
    public IReadOnlyDictionary<ulong, ProcessInfo> Owners { get; init; } = new Dictionary<ulong, ProcessInfo>();

    /// <summary>
    /// For <see cref="BackendStatus.NamespaceNotFound"/>: every network namespace of this host was read and none owns
    /// the address (the search was not cut short, none was unreadable).
    /// </summary>
    public bool EveryNamespaceRead { get; init; }

    /// <summary>True when the status is evidence (listening or not), false when it is missing.</summary>
    public bool IsKnown => Status is BackendStatus.Listening or BackendStatus.NotListening;
}
